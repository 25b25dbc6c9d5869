//! The page memo: a rendered page is a pure function of the compiled
//! templates, the template's name and the page's context, so its bytes are
//! kept under a 128-bit hash of those and reused while they do not change.
//!
//! The context is hashed value by value (strings, their safe flag, numbers
//! as integer or float, maps in key order), never serialised. `site` is the
//! same value on every page of a build and is hashed once. Its `stamp`
//! changes with every save; it is left out of the key only when no template
//! can read it (see [`stamp_blind`]), so that an edit does not invalidate
//! every page.

use siphasher::sip128::{Hasher128, SipHasher13};
use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex, RwLock};
use tera::{Context, Kwargs, State, Tera, Value};

/// The template that hashes a context: every entry but `site`.
const KEYER: &str = "key";

/// Rendered pages of the last build, by key.
pub struct PageMemo {
    /// A Tera of its own whose one template hands the whole context to a
    /// filter (the only way to see every entry of a [`Context`]).
    keyer: Tera,
    theme: RwLock<Theme>,
    /// The current build's `site` value (kept alive, so that its address
    /// identifies it) and its hash.
    site: RwLock<Option<(Value, u128)>>,
    /// Hashes of the current build's larger maps, shared between pages.
    shared: Arc<Shared>,
    /// The names in the last context seen with each template, sorted.
    names: RwLock<HashMap<String, Arc<Vec<String>>>>,
    pages: Mutex<Pages>,
    /// Pieces of pages' data (a talk's JSON-LD), remembered like the pages.
    fragments: super::Fragments,
}

#[derive(Default)]
struct Theme {
    fingerprint: u128,
    stamp_blind: bool,
}

#[derive(Default)]
struct Pages {
    generation: u64,
    by_key: HashMap<u128, (String, u64)>,
    hits: usize,
    misses: usize,
}

impl Default for PageMemo {
    fn default() -> Self {
        let mut keyer = Tera::new();
        keyer.register_filter("memo_keys", |v: &Value, _: Kwargs, _: &State| {
            let mut names: Vec<String> = v
                .as_map()
                .map(|m| m.keys().map(|k| k.to_string()).collect())
                .unwrap_or_default();
            names.sort();
            names.join("\n")
        });
        keyer
            .add_raw_template(KEYER, "{{ __tera_context | memo_keys }}")
            .expect("the memo's own template compiles");
        PageMemo {
            keyer,
            theme: RwLock::new(Theme::default()),
            site: RwLock::new(None),
            shared: Arc::new(Shared::default()),
            names: RwLock::new(HashMap::new()),
            pages: Mutex::new(Pages::default()),
            fragments: super::Fragments::default(),
        }
    }
}

impl PageMemo {
    /// Starts a build with these templates (name, source): pages rendered
    /// with other templates are forgotten.
    pub fn use_templates<'a>(&self, templates: impl Iterator<Item = (&'a str, &'a str)>) {
        let mut sources: Vec<(&str, &str)> = templates.collect();
        sources.sort();
        let mut h = SipHasher13::new();
        for (name, text) in &sources {
            write_str(&mut h, name);
            write_str(&mut h, text);
        }
        let fingerprint = h.finish128().as_u128();
        let mut theme = self.theme.write().unwrap_or_else(|e| e.into_inner());
        if theme.fingerprint != fingerprint {
            theme.fingerprint = fingerprint;
            theme.stamp_blind = sources.iter().all(|(_, text)| stamp_blind(text));
            let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            pages.by_key.clear();
        }
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = None;
        self.shared.clear();
    }

    /// The page `template` renders with `ctx`: remembered, or rendered now
    /// by `render` and remembered when it succeeds.
    pub fn render<E>(
        &self,
        template: &str,
        ctx: &Context,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        let Some(key) = self.key(template, ctx) else {
            return render();
        };
        {
            let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            let generation = pages.generation;
            if let Some((html, used)) = pages.by_key.get_mut(&key) {
                *used = generation;
                let html = html.clone();
                pages.hits += 1;
                return Ok(html);
            }
        }
        let html = render()?;
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let generation = pages.generation;
        pages.misses += 1;
        pages.by_key.insert(key, (html.clone(), generation));
        Ok(html)
    }

    /// Where pieces of pages' data are remembered between builds.
    pub fn fragments(&self) -> &super::Fragments {
        &self.fragments
    }

    /// Ends a build: forgets pages it did not render. Returns (reused, rendered).
    pub fn sweep(&self) -> (usize, usize) {
        self.fragments.sweep();
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let generation = pages.generation;
        pages.by_key.retain(|_, (_, used)| *used == generation);
        pages.generation += 1;
        let counts = (pages.hits, pages.misses);
        pages.hits = 0;
        pages.misses = 0;
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = None;
        self.shared.clear();
        counts
    }

    /// The key of one render; None when the context cannot be hashed.
    fn key(&self, template: &str, ctx: &Context) -> Option<u128> {
        let names = self.names(template, ctx)?;
        let mut h = SipHasher13::new();
        h.write_usize(names.len());
        for name in names.iter().filter(|n| *n != "site") {
            write_str(&mut h, name);
            hash_value(ctx.get(name)?, &mut h, &self.shared);
        }
        let rest = h.finish128().as_u128();
        let theme = self.theme.read().unwrap_or_else(|e| e.into_inner());
        let site = match ctx.get("site") {
            Some(site) => self.site_hash(site, theme.stamp_blind),
            None => 0,
        };
        let mut h = SipHasher13::new();
        h.write_u128(theme.fingerprint);
        write_str(&mut h, template);
        h.write_u128(rest);
        h.write_u128(site);
        Some(h.finish128().as_u128())
    }

    /// Every name in `ctx`, sorted. A context has no way to list its names
    /// but the template engine's dump, which is slow; so the names found for
    /// a template are kept, and checked by comparing the context with one
    /// made of just those names (values are shared, so this is cheap).
    fn names(&self, template: &str, ctx: &Context) -> Option<Arc<Vec<String>>> {
        let known = self
            .names
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(template)
            .cloned();
        if let Some(names) = known {
            let mut probe = Context::new();
            let mut all = true;
            for name in names.iter() {
                match ctx.get(name) {
                    Some(v) => probe.insert_value(name.clone(), v.clone()),
                    None => all = false,
                }
            }
            if all && probe == *ctx {
                return Some(names);
            }
        }
        let listed = self.keyer.render(KEYER, ctx).ok()?;
        let names: Arc<Vec<String>> = Arc::new(
            listed
                .split('\n')
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect(),
        );
        self.names
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(template.to_string(), names.clone());
        Some(names)
    }

    /// The hash of `site`, computed once per build value.
    fn site_hash(&self, site: &Value, stamp_blind: bool) -> u128 {
        let same = |a: &Value| match (a.as_map(), site.as_map()) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        };
        if let Some((v, hash)) = &*self.site.read().unwrap_or_else(|e| e.into_inner()) {
            if same(v) {
                return *hash;
            }
        }
        let mut h = SipHasher13::new();
        match site.as_map() {
            Some(map) => {
                let mut entries: Vec<_> = map
                    .iter()
                    .filter(|(k, _)| !(stamp_blind && k.as_str() == Some("stamp")))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                h.write_u8(b'm');
                h.write_usize(entries.len());
                for (k, v) in entries {
                    hash_key(k, &mut h);
                    hash_value(v, &mut h, &self.shared);
                }
            }
            None => hash_value(site, &mut h, &self.shared),
        }
        let hash = h.finish128().as_u128();
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Some((site.clone(), hash));
        hash
    }
}

/// Maps with at least this many entries are hashed once per build and
/// looked up by address afterwards (a talk's view appears on many pages).
const SHARED_MAP: usize = 4;

/// The hashes of the current build's larger maps, by address. Each value is
/// kept alive while its hash is remembered, so an address is never reused.
#[derive(Default)]
struct Shared {
    maps: RwLock<HashMap<usize, (Value, u128)>>,
}

impl Shared {
    fn map_hash(&self, v: &Value, map: &tera::value::Map) -> u128 {
        let address = map as *const tera::value::Map as usize;
        if let Some((_, hash)) = self
            .maps
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&address)
        {
            return *hash;
        }
        let mut h = SipHasher13::new();
        hash_entries(map, &mut h, self);
        let hash = h.finish128().as_u128();
        self.maps
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(address, (v.clone(), hash));
        hash
    }

    /// Forgets the build's maps. They hold the last references to the
    /// build's views, so they are freed on another thread: the reload that
    /// follows a build need not wait for it.
    fn clear(&self) {
        let maps = std::mem::take(&mut *self.maps.write().unwrap_or_else(|e| e.into_inner()));
        if !maps.is_empty() {
            rayon::spawn(move || drop(maps));
        }
    }
}

fn hash_entries(map: &tera::value::Map, h: &mut SipHasher13, shared: &Shared) {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    h.write_u8(b'm');
    h.write_usize(entries.len());
    for (k, v) in entries {
        hash_key(k, h);
        hash_value(v, h, shared);
    }
}

fn write_str(h: &mut SipHasher13, s: &str) {
    h.write_usize(s.len());
    h.write(s.as_bytes());
}

fn hash_key(k: &tera::value::Key, h: &mut SipHasher13) {
    match k.as_str() {
        Some(s) => {
            h.write_u8(b'k');
            write_str(h, s);
        }
        None => {
            h.write_u8(b'K');
            write_str(h, &format!("{k:?}"));
        }
    }
}

/// Hashes a value so that values that render differently hash differently:
/// unlike `==`, an integer is not a float and a safe string is not an unsafe one.
fn hash_value(v: &Value, h: &mut SipHasher13, shared: &Shared) {
    if let Some(s) = v.as_str() {
        h.write_u8(if v.is_safe() { b'S' } else { b's' });
        write_str(h, s);
    } else if let Some(map) = v.as_map() {
        if map.len() >= SHARED_MAP {
            h.write_u8(b'M');
            h.write_u128(shared.map_hash(v, map));
        } else {
            hash_entries(map, h, shared);
        }
    } else if let Some(items) = v.as_array() {
        h.write_u8(b'a');
        h.write_usize(items.len());
        for item in items {
            hash_value(item, h, shared);
        }
    } else if let Some(b) = v.as_bool() {
        h.write_u8(b'b');
        h.write_u8(b as u8);
    } else if let Some(n) = v.as_number() {
        match n {
            tera::Number::Integer(i) => {
                h.write_u8(b'i');
                h.write_i128(i);
            }
            tera::Number::Float(f) => {
                h.write_u8(b'f');
                h.write_u64(f.to_bits());
            }
            _ => {
                h.write_u8(b'?');
                write_str(h, &format!("{v:?}"));
            }
        }
    } else if let Some(bytes) = v.as_bytes() {
        h.write_u8(b'B');
        h.write_usize(bytes.len());
        h.write(bytes);
    } else if v.is_none() {
        h.write_u8(b'n');
    } else if v.is_undefined() {
        h.write_u8(b'u');
    } else {
        h.write_u8(b'?');
        write_str(h, &format!("{v:?}"));
    }
}

/// Whether a template cannot read `site.stamp`: inside its tags, the word
/// `stamp` never appears, the whole context is never dumped, and `site` is
/// only ever followed by `.name` (so never passed, assigned or iterated whole).
pub fn stamp_blind(source: &str) -> bool {
    let mut rest = source;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let body_end = after.find(close).unwrap_or(after.len());
        if !tag_is_stamp_blind(&after[1..body_end]) {
            return false;
        }
        rest = &after[body_end.min(after.len())..];
    }
    true
}

fn tag_is_stamp_blind(tag: &str) -> bool {
    if tag.contains("stamp") || tag.contains("__tera_context") {
        return false;
    }
    let bytes = tag.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(i) = tag[from..].find("site").map(|i| i + from) {
        let end = i + 4;
        let starts = i == 0 || !word(bytes[i - 1]);
        let ends = end == bytes.len() || !word(bytes[end]);
        if starts && ends {
            let dotted =
                bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(|&b| word(b));
            // `x.site` is some other value's field, not the context's `site`.
            let field = i > 0 && bytes[i - 1] == b'.';
            if !dotted && !field {
                return false;
            }
        }
        from = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_blindness_is_conservative() {
        assert!(stamp_blind(
            "<p>site {{ site.title }} {% for d in site.days %}{{ d.x }}{% endfor %}</p>"
        ));
        assert!(stamp_blind("{{ talk.site }} {{ website }}"));
        assert!(!stamp_blind("{{ site.stamp }}"));
        assert!(!stamp_blind("{{ site[\"st\" ~ \"amp\"] }}"));
        assert!(!stamp_blind("{% set s = site %}{{ s.title }}"));
        assert!(!stamp_blind("{% for k, v in site %}{{ v }}{% endfor %}"));
        assert!(!stamp_blind("{{ site | json_encode }}"));
        assert!(!stamp_blind("{{ __tera_context }}"));
        assert!(!stamp_blind("{{ macros::m(s=site) }}"));
    }

    fn ctx(title: &str, stamp: &str, n: Value) -> Context {
        let mut site = tera::value::Map::new();
        site.insert("title".into(), Value::from(title));
        site.insert("stamp".into(), Value::from(stamp));
        let mut c = Context::new();
        c.insert_value("site", Value::from(site));
        c.insert_value("n", n);
        c
    }

    #[test]
    fn keys_tell_renders_apart() {
        let memo = PageMemo::default();
        memo.use_templates([("a.html", "{{ site.title }}{{ n }}")].into_iter());
        let k = |c: &Context| memo.key("a.html", c).unwrap();
        let base = k(&ctx("T", "1", Value::from(1)));
        assert_eq!(base, k(&ctx("T", "1", Value::from(1))));
        // The stamp is invisible to these templates.
        assert_eq!(base, k(&ctx("T", "2", Value::from(1))));
        assert_ne!(base, k(&ctx("U", "1", Value::from(1))));
        assert_ne!(base, k(&ctx("T", "1", Value::from(1.0))));
        assert_ne!(base, k(&ctx("T", "1", Value::from("1"))));
        assert_ne!(base, k(&ctx("T", "1", Value::safe_string("1"))));
        assert_ne!(
            base,
            memo.key("b.html", &ctx("T", "1", Value::from(1))).unwrap()
        );
        // One name more, then one fewer, then as before.
        let mut more = ctx("T", "1", Value::from(1));
        more.insert("extra", &1);
        assert_ne!(base, k(&more));
        let mut fewer = ctx("T", "1", Value::from(1));
        fewer.remove("n");
        assert_ne!(base, k(&fewer));
        assert_ne!(k(&more), k(&fewer));
        assert_eq!(base, k(&ctx("T", "1", Value::from(1))));

        memo.use_templates([("a.html", "{{ site.stamp }}")].into_iter());
        let k = |c: &Context| memo.key("a.html", c).unwrap();
        assert_ne!(
            k(&ctx("T", "1", Value::from(1))),
            k(&ctx("T", "2", Value::from(1)))
        );
    }
}
