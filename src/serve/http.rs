//! The preview's HTTP side: maps request paths to files of the site held in
//! memory (never to the disk, so nothing outside the site can be reached),
//! with content types, index.html for folders, the trailing-slash redirect,
//! the site's 404 page, no caching, and the live-reload script injected into HTML.

use super::reload::{self, PREFIX};
use super::State;
use axum::body::Body;
use axum::extract::State as Extract;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use percent_encoding::percent_decode_str;
use std::sync::Arc;

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}events"), get(reload::events))
        .route(&format!("{PREFIX}live.js"), get(reload::script))
        .fallback(site)
        .with_state(state)
}

/// What a request path names in the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site (its output path).
    File(String),
    /// A folder asked for without its trailing slash: redirect here.
    Redirect(String),
    NotFound,
    /// Not a path the site could ever hold (`..`, encoded slashes, backslashes...).
    Bad,
}

/// Resolves the raw (still percent-encoded) request path against the site.
pub fn resolve(raw: &str, has: impl Fn(&str) -> bool) -> Resolved {
    let Some(rest) = raw.strip_prefix('/') else {
        return Resolved::Bad;
    };
    let folder = rest.is_empty() || rest.ends_with('/');
    let mut segments = Vec::new();
    let trimmed = rest.strip_suffix('/').unwrap_or(rest);
    if !trimmed.is_empty() {
        for seg in trimmed.split('/') {
            let Ok(decoded) = percent_decode_str(seg).decode_utf8() else {
                return Resolved::Bad;
            };
            if decoded.is_empty()
                || decoded == "."
                || decoded == ".."
                || decoded.contains(['/', '\\', '\0'])
                || (segments.is_empty() && decoded.len() >= 2 && decoded.as_bytes()[1] == b':')
            {
                return Resolved::Bad;
            }
            segments.push(decoded.into_owned());
        }
    }
    let key = segments.join("/");
    if folder {
        let index = if key.is_empty() {
            "index.html".to_string()
        } else {
            format!("{key}/index.html")
        };
        return if has(&index) {
            Resolved::File(index)
        } else {
            Resolved::NotFound
        };
    }
    if has(&key) {
        Resolved::File(key)
    } else if has(&format!("{key}/index.html")) {
        Resolved::Redirect(format!("{raw}/"))
    } else {
        Resolved::NotFound
    }
}

/// The content type of a site file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn response(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // Every response is for the build being edited: never reuse an old one.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// A temporary redirect (a folder today may be a file after the next edit).
fn redirect(to: &str, query: Option<&str>) -> Response {
    let to = match query {
        Some(q) => format!("{to}?{q}"),
        None => to.to_string(),
    };
    let mut r = text(StatusCode::TEMPORARY_REDIRECT, "moved\n");
    if let Ok(v) = HeaderValue::from_str(&to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn text(status: StatusCode, body: &str) -> Response {
    response(
        status,
        "text/plain; charset=utf-8",
        body.as_bytes().to_vec(),
    )
}

/// Every request that is not the server's own: a file of the site.
async fn site(Extract(state): Extract<Arc<State>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let current = state.site();
    let output = &current.output;
    if output.is_empty() {
        // No build has succeeded yet: a page that shows the errors.
        return response(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/html; charset=utf-8",
            reload::no_site_page(),
        );
    }
    let html = |path: &str, bytes: &[u8]| {
        if content_type(path).starts_with("text/html") {
            reload::inject(bytes, current.version)
        } else {
            bytes.to_vec()
        }
    };
    // The site also answers under its base path, where 404.html points.
    let raw = uri.path();
    let base = current.base.as_str();
    if base.len() > 1 && raw == base.trim_end_matches('/') {
        return redirect(&format!("{raw}/"), uri.query());
    }
    let raw = match raw.strip_prefix(base.trim_end_matches('/')) {
        Some(rest) if base.len() > 1 && rest.starts_with('/') => rest,
        _ => raw,
    };
    match resolve(raw, |p| output.contains(p)) {
        Resolved::File(path) if path == "sw.js" => response(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            reload::SERVICE_WORKER.as_bytes().to_vec(),
        ),
        Resolved::File(path) => {
            let bytes = output.get(&path).unwrap_or_default();
            response(StatusCode::OK, content_type(&path), html(&path, bytes))
        }
        Resolved::Redirect(_) => redirect(&format!("{}/", uri.path()), uri.query()),
        Resolved::NotFound => match output.get("404.html") {
            Some(page) => response(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                html("404.html", page),
            ),
            None => text(StatusCode::NOT_FOUND, "not found\n"),
        },
        Resolved::Bad => text(StatusCode::BAD_REQUEST, "bad path\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(raw: &str) -> Resolved {
        let files = [
            "index.html",
            "talks/a/index.html",
            "schedule.ics",
            "a b.txt",
        ];
        resolve(raw, |p| files.contains(&p))
    }

    #[test]
    fn paths_map_to_files_folders_and_redirects() {
        assert_eq!(r("/"), Resolved::File("index.html".into()));
        assert_eq!(r("/index.html"), Resolved::File("index.html".into()));
        assert_eq!(r("/talks/a/"), Resolved::File("talks/a/index.html".into()));
        assert_eq!(r("/talks/a"), Resolved::Redirect("/talks/a/".into()));
        assert_eq!(r("/schedule.ics"), Resolved::File("schedule.ics".into()));
        assert_eq!(r("/a%20b.txt"), Resolved::File("a b.txt".into()));
        assert_eq!(r("/talks/"), Resolved::NotFound);
        assert_eq!(r("/nope"), Resolved::NotFound);
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/..",
            "/../etc/passwd",
            "/talks/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/talks%2f..%2f..%2fetc%2fpasswd",
            "/talks%2Fa%2Findex.html",
            "/..%5c..%5cetc%5cpasswd",
            "/talks\\a\\index.html",
            "//etc/passwd",
            "/C:/Windows/win.ini",
            "/%00",
            "/%ff",
            "/./index.html",
            "etc/passwd",
        ] {
            assert_eq!(r(bad), Resolved::Bad, "{bad}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type("a/schedule.ics"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
