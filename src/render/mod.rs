//! Rendering: owns Tera and theme lookup (the root's themes/<name>/ over the
//! embedded default theme) and turns the programme into HTML pages and assets.
//!
//! Templates are compiled once in [`Html::load`]. A render builds the views
//! once ([`view::Views`]) and each day's grid once ([`Html::day_sections`],
//! shared by the index and the day's page), then renders every page in
//! parallel, one [`Html::job`] per output file.

pub mod grid;
pub mod theme;
pub mod view;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::PageMemo;
use crate::model::Programme;
use crate::output::Sink;
use crate::{Env, Renderer};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tera::{Context, Tera, Value};
use view::Views;

/// Where the theme's static/ folder is copied in the output.
pub const THEME_PREFIX: &str = "theme/";

/// The stylesheet of track colours, rendered from the template `tracks.css`.
pub const TRACKS_CSS: &str = "theme/tracks.css";

/// What `root` is while a day section renders: it is replaced by each
/// page's own root afterwards, so that one rendering serves every page.
const SECTION_ROOT: &str = "\u{1}root\u{1}";

/// The HTML renderer with its compiled theme.
pub struct Html {
    tera: Tera,
    /// Template name -> (file it came from, its source), for diagnostics.
    sources: HashMap<String, (PathBuf, String)>,
    /// Theme assets: output path, bytes, origin.
    statics: Vec<(String, Vec<u8>, PathBuf)>,
    /// Pages rendered by earlier builds, when rebuilding (serve, watch).
    memo: Option<Arc<PageMemo>>,
    /// True when the day section's templates only ever print `root` as
    /// `{{ root }}`, so one rendering serves every page (see [`Section`]).
    shared_sections: bool,
}

/// The templates a theme must provide (the default theme has them all).
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "day.html",
    "partials/day_section.html",
    "talk.html",
    "speaker.html",
    "speakers.html",
    "room.html",
    "track.html",
    "page.html",
    "unscheduled.html",
    "404.html",
    "tracks.css",
];

impl Html {
    /// Finds and compiles the theme `name` for the site at `root`.
    pub fn load(root: &Path, name: &str) -> Result<Html, Diagnostics> {
        let theme = theme::lookup(root, name)?;
        let mut diagnostics = Diagnostics::new();
        let mut sources = HashMap::new();
        let mut templates = Vec::new();
        for (tpl, file) in theme.templates() {
            match std::str::from_utf8(&file.bytes) {
                Ok(text) => {
                    sources.insert(tpl.to_string(), (file.origin.clone(), text.to_string()));
                    templates.push((tpl.to_string(), text.to_string()));
                }
                Err(_) => diagnostics.push(
                    Diagnostic::error("template", "a template is not valid UTF-8")
                        .in_file(&file.origin)
                        .with_help("save the template as UTF-8"),
                ),
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
        if let Err(e) = tera.add_raw_templates(templates) {
            diagnostics.push(template_error(&e, &sources, None));
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let statics = theme
            .statics()
            .map(|(p, f)| {
                (
                    format!("{THEME_PREFIX}{p}"),
                    f.bytes.clone(),
                    f.origin.clone(),
                )
            })
            .collect();
        let shared_sections = prints_root_only(&sources, "partials/day_section.html", &mut vec![]);
        Ok(Html {
            tera,
            sources,
            statics,
            memo: None,
            shared_sections,
        })
    }

    /// Reuses the pages `memo` holds whose template and context are unchanged.
    pub fn with_memo(mut self, memo: Arc<PageMemo>) -> Html {
        memo.use_templates(
            self.sources
                .iter()
                .map(|(n, (_, t))| (n.as_str(), t.as_str())),
        );
        self.memo = Some(memo);
        self
    }

    fn render_page(
        &self,
        template: &str,
        ctx: &Context,
        capacity: usize,
    ) -> Result<String, Box<Diagnostic>> {
        match &self.memo {
            Some(memo) => memo.render(template, ctx, || self.render_now(template, ctx, capacity)),
            None => self.render_now(template, ctx, capacity),
        }
    }

    fn render_now(
        &self,
        template: &str,
        ctx: &Context,
        capacity: usize,
    ) -> Result<String, Box<Diagnostic>> {
        let mut buf = Vec::with_capacity(capacity);
        self.tera
            .render_to(template, ctx, &mut buf)
            .map_err(|e| Box::new(template_error(&e, &self.sources, Some(template))))?;
        String::from_utf8(buf).map_err(|_| {
            Box::new(
                Diagnostic::error("template", "a template produced invalid UTF-8").in_file(
                    self.sources
                        .get(template)
                        .map(|s| s.0.as_path())
                        .unwrap_or(Path::new(template)),
                ),
            )
        })
    }
}

/// A tera error as a diagnostic naming the template file (and line when known).
fn template_error(
    e: &tera::Error,
    sources: &HashMap<String, (PathBuf, String)>,
    rendering: Option<&str>,
) -> Diagnostic {
    use tera::ErrorKind;
    let help = "fix the template, or delete it to use the default theme's";
    let report = match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    if let Some(r) = report {
        let mut d = Diagnostic::error("template", format!("template error: {}", r.message()))
            .with_help(help);
        if let Some((origin, text)) = sources.get(r.filename()) {
            let span = r.span();
            d = d
                .in_file(origin)
                .at(text, span.start_line, span.start_col + 1);
        }
        return d;
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let mut d = Diagnostic::error("template", format!("template error: {message}")).with_help(help);
    let named = rendering.or_else(|| {
        sources
            .keys()
            .filter(|k| message.contains(&format!("'{k}'")))
            .min()
            .map(String::as_str)
    });
    if let Some((origin, _)) = named.and_then(|n| sources.get(n)) {
        d = d.in_file(origin);
    }
    d
}

/// The relative prefix from a page to the site root: `talks/x/index.html` -> `../../`.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// One page to render.
enum Job {
    Index,
    Talk(usize),
    Speaker(usize),
    Speakers,
    Room(usize),
    Track(usize),
    Page(usize),
    Day(usize),
    Unscheduled,
    NotFound,
    /// `theme/tracks.css`, when a track has a colour.
    TracksCss,
    /// The attendee's starred talks (listed by the theme's JavaScript).
    MyProgramme,
}

impl Renderer for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn render(&self, p: &Programme, env: &Env, sink: &dyn Sink) -> Result<(), Diagnostics> {
        let views = Views::new(p, env.stamp);
        let sections = self
            .day_sections(&views)
            .map_err(|d| Diagnostics(vec![*d]))?;
        let mut jobs = Vec::with_capacity(p.talks.len() + p.speakers.len() + 16);
        jobs.push(Job::Index);
        jobs.push(Job::Speakers);
        jobs.push(Job::Unscheduled);
        jobs.push(Job::NotFound);
        if self.sources.contains_key("my-programme.html") {
            jobs.push(Job::MyProgramme);
        }
        if views.site_view.tracks_css.is_some() {
            jobs.push(Job::TracksCss);
        }
        jobs.extend((0..p.talks.len()).map(Job::Talk));
        jobs.extend((0..p.speakers.len()).map(Job::Speaker));
        jobs.extend((0..p.rooms.len()).map(Job::Room));
        jobs.extend((0..p.tracks.len()).map(Job::Track));
        jobs.extend((0..p.pages.len()).map(Job::Page));
        jobs.extend((0..p.days.len()).map(Job::Day));
        // Each page goes to the sink as soon as it is rendered. Small
        // pieces (at most 64 pages) let an idle thread take over part of the
        // rest: the feeds render beside these pages and finish first.
        let pages: Vec<Result<(), Box<Diagnostic>>> = jobs
            .par_iter()
            .with_min_len(8)
            .with_max_len(64)
            .map(|job| {
                let (path, html) = self.job(p, &views, &sections, job)?;
                sink.put(path, html.into_bytes())
                    .map_err(|path| Box::new(clash(&path, None)))
            })
            .filter(Result::is_err)
            .collect();
        // The views are many small allocations: they are freed on the pool
        // while the build goes on (finishing files, committing the stage).
        rayon::spawn(move || views.par_drop());
        let mut diagnostics = Diagnostics::new();
        for page in pages {
            match page {
                Ok(()) => {}
                Err(d) => {
                    if !diagnostics.iter().any(|x| x == &*d) {
                        diagnostics.push(*d);
                    }
                }
            }
        }
        for (path, bytes, origin) in &self.statics {
            if let Err(path) = sink.put(path.clone(), bytes.clone()) {
                diagnostics.push(clash(&path, Some(origin)));
            }
        }
        for file in &p.static_files {
            if let Err(path) = sink.put(file.path.clone(), file.bytes.clone()) {
                let origin = Path::new("content/static").join(&file.path);
                diagnostics.push(clash(&path, Some(&origin)));
            }
        }
        if diagnostics.has_errors() {
            Err(diagnostics)
        } else {
            Ok(())
        }
    }
}

fn clash(path: &str, origin: Option<&Path>) -> Diagnostic {
    let d = Diagnostic::error(
        "output-clash",
        format!("the output file `{path}` would be written twice"),
    )
    .with_help("rename the static file: the site generates a page at that path");
    match origin {
        Some(o) => d.in_file(o),
        None => d,
    }
}

impl Html {
    fn context(&self, views: &Views, path: &str, root: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", views.site.clone());
        ctx.insert("root", root);
        ctx.insert("path", path);
        ctx
    }

    /// Renders the page of one job: its output path and text.
    fn job(
        &self,
        p: &Programme,
        views: &Views,
        sections: &[Section],
        job: &Job,
    ) -> Result<(String, String), Box<Diagnostic>> {
        let mut capacity = 8 * 1024;
        let (path, template, ctx) = match *job {
            Job::Index => {
                let path = "index.html".to_string();
                let root = root_of(&path);
                let sections: Vec<Value> = (0..p.days.len())
                    .map(|d| self.section_for(views, sections, d, &root))
                    .collect::<Result<_, _>>()?;
                capacity += sections
                    .iter()
                    .map(|s| s.as_str().map_or(0, str::len))
                    .sum::<usize>();
                let mut ctx = self.context(views, &path, &root);
                ctx.insert("sections", &sections);
                ctx.insert("unscheduled", &views.talk_values(&unscheduled(p)));
                (path, "index.html", ctx)
            }
            Job::Day(d) => {
                let info = &views.site_view.days[d];
                let path = info.url.clone();
                let root = root_of(&path);
                let section = self.section_for(views, sections, d, &root)?;
                capacity += section.as_str().map_or(0, str::len);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert("day", info);
                ctx.insert("section", &section);
                (path, "day.html", ctx)
            }
            Job::Talk(t) => {
                let talk = &p.talks[t];
                capacity += talk.abstract_.html.len();
                let path = format!("talks/{}/index.html", talk.slug);
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert_value("talk", views.talks[t].clone());
                let memo = self.memo.as_deref().map(PageMemo::fragments);
                let attendee = crate::feeds::index::talk_metadata_with(p, t, memo);
                ctx.insert("attendee", &*attendee);
                let (prev, next) = views.neighbours[t];
                ctx.insert_value("prev", prev.map(|i| views.talks[i].clone()).into());
                ctx.insert_value("next", next.map(|i| views.talks[i].clone()).into());
                (path, "talk.html", ctx)
            }
            Job::Speaker(s) => {
                let path = format!("speakers/{}/index.html", p.speakers[s].slug);
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert_value("speaker", views.speakers[s].clone());
                (path, "speaker.html", ctx)
            }
            Job::Speakers => {
                let path = "speakers/index.html".to_string();
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert("speakers", &views.speakers);
                (path, "speakers.html", ctx)
            }
            Job::Room(r) => {
                let info = views.site_view.rooms[r].clone();
                let path = info.url.clone();
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                let room = view::GroupView {
                    info,
                    talks: views.talk_values(&p.rooms[r].talks),
                };
                ctx.insert("room", &room);
                (path, "room.html", ctx)
            }
            Job::Track(t) => {
                let info = views.site_view.tracks[t].clone();
                let path = info.url.clone();
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                let track = view::GroupView {
                    info,
                    talks: views.talk_values(&p.tracks[t].talks),
                };
                ctx.insert("track", &track);
                (path, "track.html", ctx)
            }
            Job::Page(i) => {
                let page = views.page(p, i);
                let path = page.url.clone();
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert("page", &page);
                (path, "page.html", ctx)
            }
            Job::Unscheduled => {
                let path = "unscheduled/index.html".to_string();
                let root = root_of(&path);
                let mut ctx = self.context(views, &path, &root);
                ctx.insert("talks", &views.talk_values(&unscheduled(p)));
                (path, "unscheduled.html", ctx)
            }
            Job::MyProgramme => {
                let path = "my-programme/index.html".to_string();
                let root = root_of(&path);
                let ctx = self.context(views, &path, &root);
                (path, "my-programme.html", ctx)
            }
            Job::TracksCss => {
                let path = TRACKS_CSS.to_string();
                let root = root_of(&path);
                let ctx = self.context(views, &path, &root);
                (path, "tracks.css", ctx)
            }
            Job::NotFound => {
                // Served at any depth: links start from the site's absolute path.
                let path = "404.html".to_string();
                let root = not_found_root(p.conference.base_url.as_deref());
                let ctx = self.context(views, &path, &root);
                (path, "404.html", ctx)
            }
        };
        let mut html = self.render_page(template, &ctx, capacity)?;
        if !html.ends_with('\n') {
            html.push('\n');
        }
        Ok((path, html))
    }

    /// Renders one day's grid with the partial `partials/day_section.html`.
    fn day_section(&self, views: &Views, d: usize, root: &str) -> Result<String, Box<Diagnostic>> {
        let info = views.site_view.days[d].clone();
        let section = views.days[d].section(info, &views.site_view.rooms, &views.talks);
        let mut ctx = self.context(views, "", root);
        ctx.insert("day", &section);
        let capacity = 2048 + 1024 * views.days[d].talks.len();
        self.render_page("partials/day_section.html", &ctx, capacity)
    }

    /// Every day's grid, rendered once (in parallel) with [`SECTION_ROOT`]
    /// for `root` when the templates allow it.
    fn day_sections(&self, views: &Views) -> Result<Vec<Section>, Box<Diagnostic>> {
        if !self.shared_sections {
            return Ok((0..views.days.len()).map(|_| Section::PerPage).collect());
        }
        (0..views.days.len())
            .into_par_iter()
            .map(|d| Ok(Section::Shared(self.day_section(views, d, SECTION_ROOT)?)))
            .collect()
    }

    /// Day `d`'s grid for a page whose root is `root`, as a safe string.
    fn section_for(
        &self,
        views: &Views,
        sections: &[Section],
        d: usize,
        root: &str,
    ) -> Result<Value, Box<Diagnostic>> {
        let html = match &sections[d] {
            Section::Shared(html) => html.replace(SECTION_ROOT, root),
            Section::PerPage => self.day_section(views, d, root)?,
        };
        Ok(Value::safe_string(&html))
    }
}

/// A day's grid rendered once for all pages, or, when a theme's day
/// section does more with `root` than print it, rendered for each page.
enum Section {
    Shared(String),
    PerPage,
}

/// True when the template `name` and every template it includes or extends
/// use `root` only as `{{ root }}` (so the page's root can be put in after
/// rendering). Conservative: a mention of `root` anywhere else, the context
/// dump, or an unknown template gives false.
fn prints_root_only(
    sources: &HashMap<String, (PathBuf, String)>,
    name: &str,
    seen: &mut Vec<String>,
) -> bool {
    if seen.iter().any(|s| s == name) {
        return true;
    }
    seen.push(name.to_string());
    let Some((_, text)) = sources.get(name) else {
        return false;
    };
    if text.contains("__tera_context") {
        return false;
    }
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    let word_at = |i: usize, word: &str| {
        text[i..].starts_with(word)
            && (i == 0 || !is_ident(bytes[i - 1]))
            && bytes.get(i + word.len()).is_none_or(|&b| !is_ident(b))
    };
    for (i, _) in text.char_indices() {
        if word_at(i, "root") {
            let before = text[..i].trim_end();
            let before = before.strip_suffix('-').unwrap_or(before);
            let after = text[i + 4..].trim_start();
            let after = after.strip_prefix('-').unwrap_or(after);
            if !(before.ends_with("{{") && after.starts_with("}}")) {
                return false;
            }
        }
        for tag in ["include", "extends"] {
            if word_at(i, tag) {
                let rest = text[i + tag.len()..].trim_start();
                let Some(quote) = rest
                    .chars()
                    .next()
                    .filter(|c| matches!(c, '"' | '\'' | '`'))
                else {
                    return false;
                };
                let Some(end) = rest[1..].find(quote) else {
                    return false;
                };
                if !prints_root_only(sources, &rest[1..1 + end], seen) {
                    return false;
                }
            }
        }
    }
    true
}

fn unscheduled(p: &Programme) -> Vec<usize> {
    p.unscheduled().map(|(i, _)| i).collect()
}

/// The prefix 404.html uses for its links: the path of `base_url`
/// (`/tictec2017/`), or `/` when the conference gives none.
pub fn not_found_root(base_url: Option<&str>) -> String {
    base_url
        .and_then(|b| b.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| "/".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("talks/x/index.html"), "../../");
        assert_eq!(root_of("speakers/index.html"), "../");
    }

    #[test]
    fn not_found_roots() {
        assert_eq!(
            not_found_root(Some("https://example.org/tictec2017/")),
            "/tictec2017/"
        );
        assert_eq!(not_found_root(Some("https://example.org/")), "/");
        assert_eq!(not_found_root(None), "/");
    }

    #[test]
    fn shared_sections_need_root_printed_as_is() {
        let sources = |pairs: &[(&str, &str)]| -> HashMap<String, (PathBuf, String)> {
            pairs
                .iter()
                .map(|(n, t)| (n.to_string(), (PathBuf::from(n), t.to_string())))
                .collect()
        };
        let ok = |pairs: &[(&str, &str)]| prints_root_only(&sources(pairs), "s", &mut vec![]);
        assert!(ok(&[(
            "s",
            "<a href=\"{{ root }}{{ x }}\">{{- root -}}</a>{{ rooted }}"
        )]));
        assert!(ok(&[("s", "{% include \"p\" %}"), ("p", "{{root}}")]));
        assert!(!ok(&[("s", "{% if root %}x{% endif %}")]));
        assert!(!ok(&[("s", "{{ root | upper }}")]));
        assert!(!ok(&[
            ("s", "{% include \"p\" %}"),
            ("p", "{{ root ~ 'x' }}")
        ]));
        assert!(!ok(&[("s", "{% include \"missing\" %}")]));
        assert!(!ok(&[("s", "{{ __tera_context }}")]));
        let default = Html::load(Path::new("/nonexistent-root"), "default").unwrap();
        assert!(default.shared_sections);
    }

    #[test]
    fn bad_template_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("themes/default/templates");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(
            t.join("talk.html"),
            "{% extends \"base.html\" %}\n{% block main %}{{ talk.title }{% endblock main %}\n",
        )
        .unwrap();
        let err = match Html::load(dir.path(), "default") {
            Err(e) => e,
            Ok(_) => panic!("a broken template compiled"),
        };
        let d = err.errors().next().unwrap();
        assert_eq!(d.code, "template");
        assert_eq!(
            d.file.as_deref(),
            Some(Path::new("themes/default/templates/talk.html"))
        );
        assert_eq!(d.line, Some(2));
    }
}
