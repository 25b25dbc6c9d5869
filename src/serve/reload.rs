//! Live reload: the server-sent event stream that tells open tabs about new
//! builds and build errors, and the script the server injects into every HTML
//! response (reload keeping the scroll position; the error overlay).

use super::State;
use crate::diagnostic::{Diagnostic, Diagnostics};
use axum::extract::State as Extract;
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;
use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Where the server answers its own requests; no site path starts with it.
pub const PREFIX: &str = "/__programme/";

/// What open tabs are told.
#[derive(Debug, Clone)]
pub enum Event {
    /// A new site (this version) is being served: reload.
    Reload { version: u64 },
    /// The content was fixed but the site is byte-for-byte the one served:
    /// hide the overlay, no reload needed.
    Ok,
    /// The last build failed; the previous site is still served.
    Error(Arc<ErrorReport>),
    /// The output folder on disk now holds this version.
    Published {
        version: u64,
        written: usize,
        removed: usize,
    },
}

/// A failed build, as the overlay shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    /// Errors first, then warnings.
    pub diagnostics: Vec<Shown>,
    /// The whole report as the terminal prints it.
    pub text: String,
}

/// One diagnostic with its terminal rendering (source line and marker included).
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    pub rendered: String,
}

impl ErrorReport {
    pub fn new(d: &Diagnostics) -> ErrorReport {
        let mut list: Vec<&Diagnostic> = d.iter().collect();
        list.sort_by_key(|d| !d.is_error());
        ErrorReport {
            diagnostics: list
                .into_iter()
                .map(|d| Shown {
                    diagnostic: d.clone(),
                    rendered: d.to_string(),
                })
                .collect(),
            text: d.to_string(),
        }
    }

    /// An error that is not about the content (the output folder could not be written).
    pub fn other(code: &'static str, message: String) -> ErrorReport {
        ErrorReport::new(&Diagnostics(vec![Diagnostic::error(code, message)]))
    }
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn to_sse(event: &Event) -> SseEvent {
    match event {
        Event::Reload { version } => SseEvent::default()
            .event("reload")
            .data(json(&serde_json::json!({ "version": version }))),
        Event::Ok => SseEvent::default().event("build-ok").data("{}"),
        Event::Error(report) => SseEvent::default()
            .event("build-error")
            .data(json(report.as_ref())),
        Event::Published {
            version,
            written,
            removed,
        } => SseEvent::default().event("published").data(json(
            &serde_json::json!({ "version": version, "written": written, "removed": removed }),
        )),
    }
}

/// The state a tab needs on (re)connecting: the version served and the
/// current error, if any.
fn state_event(state: &State) -> SseEvent {
    let version = state.site().version;
    let error = state.error();
    SseEvent::default().event("state").data(json(
        &serde_json::json!({ "version": version, "error": error.as_deref() }),
    ))
}

/// `GET /__programme/events`: the event stream.
pub async fn events(
    Extract(state): Extract<Arc<State>>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = state.events.subscribe();
    let first = state_event(&state);
    let rest = stream::unfold((rx, state), |(mut rx, state)| async move {
        let event = match rx.recv().await {
            Ok(event) => to_sse(&event),
            // Too slow to keep up: send the whole state instead of what was missed.
            Err(RecvError::Lagged(_)) => state_event(&state),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), (rx, state)))
    });
    Sse::new(stream::once(async { Ok(first) }).chain(rest)).keep_alive(KeepAlive::default())
}

/// `GET /__programme/live.js`.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVE_JS,
    )
}

/// The tag put into served HTML; `version` is the site version the page belongs to.
pub fn tag(version: u64) -> String {
    format!("<script src=\"{PREFIX}live.js\" data-version=\"{version}\"></script>")
}

/// Inserts the live-reload tag before the last `</body>` (or `</html>`, or at
/// the end).
pub fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let tag = tag(version);
    let lower = html.to_ascii_lowercase();
    let at = rfind(&lower, b"</body>")
        .or_else(|| rfind(&lower, b"</html>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Served instead of the site's offline service worker while previewing: it
/// removes itself and its caches, so no page or stylesheet of an older build
/// is ever answered from a cache. The built sw.js on disk is unchanged.
pub const SERVICE_WORKER: &str = r#"// programme serve: the preview replaces the offline worker with one that removes itself.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.map((k) => caches.delete(k))))
      .then(() => self.registration.unregister())
  );
});
"#;

/// The page served while no build has succeeded yet; the overlay shows why.
pub fn no_site_page() -> Vec<u8> {
    inject(
        b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>\n<body><main><h1>The site has not been built yet</h1><p>Fix the errors shown; this page reloads when the build succeeds.</p></main></body></html>\n",
        0,
    )
}

/// The injected script (kept in its own file so it reads as JavaScript).
const LIVE_JS: &str = include_str!("live.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_goes_before_the_last_body_end() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", 7);
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, format!("<html><body><p>x</p>{}</BODY></html>", tag(7)));
        let s = String::from_utf8(inject(b"<p>fragment", 1)).unwrap();
        assert!(s.ends_with(&tag(1)));
    }
}
