//! Markdown: pulldown-cmark to HTML (sanitised unless trusted) and to plain text for feeds.

use crate::model::{RawHtml, Text};
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown in all the forms the outputs need, parsing it once
/// (twice when sanitised HTML needs the sanitiser): the events stream into
/// the plain text and the HTML together.
pub fn text(markdown: &str, raw_html: RawHtml) -> Text {
    let mut plain = Plain::new(markdown.len());
    let mut parser = Parser::new_ext(markdown, options());
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    let html = match raw_html {
        RawHtml::Trusted => {
            html::push_html(&mut html, parser.inspect(|e| plain.event(e)));
            html
        }
        RawHtml::Sanitise => {
            let mut direct = true;
            html::push_html(
                &mut html,
                parser.by_ref().map_while(|e| {
                    plain.event(&e);
                    direct = is_direct(&e);
                    direct.then(|| direct_link(e))
                }),
            );
            if direct {
                html
            } else {
                parser.for_each(|e| plain.event(&e));
                to_html(markdown, raw_html)
            }
        }
    };
    Text {
        markdown: markdown.to_string(),
        plain: plain.finish(),
        html,
    }
}

/// Markdown to HTML. Unless trusted, the HTML goes through an allow-list
/// sanitiser: no scripts, styles, event handlers or `javascript:` URLs.
pub fn to_html(markdown: &str, raw_html: RawHtml) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options()));
    match raw_html {
        RawHtml::Trusted => out,
        RawHtml::Sanitise => sanitiser().clean(&out).to_string(),
    }
}

/// Whether the sanitiser would keep the HTML of `event` byte for byte, once
/// links are written by [`direct_link`]: paragraphs, emphasis, code, lists,
/// headings, quotes, and links to http, https or mailto URLs, which get the
/// sanitiser's `rel`. Markdown made only of such events (most abstracts) is
/// written directly, without the cost of parsing the HTML again; anything
/// else (raw HTML, images, tables, footnotes, other URLs, characters the two
/// escape differently) takes the sanitiser's path.
fn is_direct(event: &Event) -> bool {
    match event {
        // The sanitiser drops NUL and writes `"` and no-break spaces as entities.
        Event::Text(t) | Event::Code(t) => !t.contains(['"', '\u{a0}', '\0']),
        Event::SoftBreak => true,
        Event::Start(tag) => match tag {
            Tag::Paragraph
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::BlockQuote(None)
            | Tag::Item
            | Tag::List(None | Some(1)) => true,
            Tag::Heading {
                id: None,
                classes,
                attrs,
                ..
            } => classes.is_empty() && attrs.is_empty(),
            Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented) => true,
            Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info)) => info.is_empty(),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                title.is_empty()
                    && safe_url(dest_url)
                    && !matches!(
                        link_type,
                        pulldown_cmark::LinkType::Email | pulldown_cmark::LinkType::Autolink
                    )
            }
            _ => false,
        },
        Event::End(tag) => !matches!(
            tag,
            TagEnd::Image
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell
                | TagEnd::FootnoteDefinition
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_)
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
        ),
        _ => false,
    }
}

/// A link as the sanitiser writes it.
fn direct_link(event: Event) -> Event {
    match event {
        Event::Start(Tag::Link { dest_url, .. }) => {
            let mut a = String::with_capacity(dest_url.len() + 40);
            a.push_str("<a href=\"");
            a.push_str(&dest_url);
            a.push_str("\" rel=\"noopener noreferrer\">");
            Event::Html(a.into())
        }
        Event::End(TagEnd::Link) => Event::Html("</a>".into()),
        e => e,
    }
}

/// An http, https or mailto URL made only of characters that need no
/// escaping in an attribute.
fn safe_url(url: &str) -> bool {
    let scheme_ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| url.len() > s.len() && url[..s.len()].eq_ignore_ascii_case(s));
    scheme_ok
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#@!$+,;=%".contains(&b))
}

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"))
            .add_generic_attributes(["id"]);
        b
    })
}

/// Markdown to plain text: paragraphs and list items on their own lines,
/// link targets kept in angle brackets after the link text.
pub fn to_plain(markdown: &str) -> String {
    let mut plain = Plain::new(markdown.len());
    Parser::new_ext(markdown, options()).for_each(|e| plain.event(&e));
    plain.finish()
}

/// Plain text, written event by event.
struct Plain {
    out: String,
    links: Vec<String>,
}

impl Plain {
    fn new(capacity: usize) -> Self {
        Plain {
            out: String::with_capacity(capacity),
            links: Vec::new(),
        }
    }

    fn event(&mut self, event: &Event) {
        let out = &mut self.out;
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                newline(out);
                out.push_str("- ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => self.links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = self.links.pop() {
                    if !url.is_empty() && !out.ends_with(url.as_str()) {
                        out.push_str(" <");
                        out.push_str(&url);
                        out.push('>');
                    }
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::List(_),
            ) => {
                paragraph(out);
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                // Keep only the text between tags.
                let mut inside = false;
                for c in h.chars() {
                    match c {
                        '<' => inside = true,
                        '>' => inside = false,
                        c if !inside => out.push(c),
                        _ => {}
                    }
                }
            }
            Event::Rule => paragraph(out),
            _ => {}
        }
    }

    fn finish(self) -> String {
        let trimmed = self.out.trim();
        if trimmed.len() == self.out.len() {
            self.out
        } else {
            trimmed.to_string()
        }
    }
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn paragraph(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\n']).len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_sanitised_by_default() {
        let md = "Hi <script>alert(1)</script> <a href=\"javascript:alert(1)\" onclick=\"x()\">x</a> <b style=\"color:red\">b</b>";
        let h = to_html(md, RawHtml::Sanitise);
        assert!(
            !h.contains("<script")
                && !h.contains("javascript:")
                && !h.contains("onclick")
                && !h.contains("style="),
            "{h}"
        );
        assert!(h.contains("<b>b</b>"), "{h}");
        let trusted = to_html(md, RawHtml::Trusted);
        assert!(trusted.contains("<script>"));
    }

    #[test]
    fn markdown_renders() {
        let h = to_html(
            "*em* and [link](https://example.org)\n\n- a\n- b",
            RawHtml::Sanitise,
        );
        assert!(
            h.contains("<em>em</em>")
                && h.contains("href=\"https://example.org\"")
                && h.contains("<li>a</li>"),
            "{h}"
        );
    }

    /// The HTML written directly, when every event allows it.
    fn direct_html(md: &str) -> Option<String> {
        let events: Vec<Event> = Parser::new_ext(md, options()).collect();
        if !events.iter().all(is_direct) {
            return None;
        }
        let mut out = String::new();
        html::push_html(&mut out, events.into_iter().map(direct_link));
        Some(out)
    }

    /// The direct path gives exactly the sanitiser's bytes, and declines
    /// whatever it cannot vouch for.
    #[test]
    fn plain_subset_matches_the_sanitiser() {
        let samples = [
            "*em* and **strong** and `code` and ~~gone~~ and [a link](https://example.org/a?b=1#c).",
            "Two\nlines, 'quotes' and \"double\" ones, smart -- dashes...",
            "# Heading\n\n## Sub *em*\n\n> quoted\n> text\n\n- a\n- b\n  - nested\n\n1. one\n2. two",
            "    indented code <b>\n\n```\nfenced & <code>\n```\n\nA & B < C > D",
            "[mail](mailto:a@example.org) and [Upper](HTTPS://EXAMPLE.ORG/x)",
            "Loose list:\n\n- a\n\n- b\n\nText after.",
            "",
        ];
        for md in samples {
            let mut full = String::new();
            html::push_html(&mut full, Parser::new_ext(md, options()));
            let expected = sanitiser().clean(&full).to_string();
            let fast = direct_html(md);
            if let Some(fast) = fast {
                assert_eq!(fast, expected, "for {md:?}");
            }
            assert_eq!(to_html(md, RawHtml::Sanitise), expected, "for {md:?}");
        }
        for md in [
            "<b>raw</b>",
            "![img](https://example.org/a.png)",
            "[js](javascript:alert(1))",
            "[rel](/relative)",
            "[t](https://example.org \"title\")",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "note[^1]\n\n[^1]: foot",
            "```rust\nfn x() {}\n```",
            "3. three\n4. four",
            "line  \nbreak",
            "---",
            "<https://example.org>",
        ] {
            assert!(direct_html(md).is_none(), "{md:?} took the direct path");
        }
        for md in ["*a* [b](https://example.org)", "- x\n- y", "plain"] {
            assert!(
                direct_html(md).is_some(),
                "{md:?} did not take the direct path"
            );
        }
    }

    #[test]
    fn one_parse_gives_the_same_html_and_text() {
        for md in [
            "*em* and [link](https://example.org)\n\n- a\n- b",
            "<b>raw</b> and [js](javascript:alert(1))",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "",
            // The direct path gives up half way: the plain text goes on.
            "*a* [b](https://example.org) c\n\n- d\n\n<b>raw</b> after [l](https://x.org)\n\n- e",
            "first\n\n![img](https://example.org/a.png) [rel](/relative)\n\nlast *one*",
            "# Heading\n\n> quoted\n\n1. one\n2. two\n\n    code <b>\n\nA & B < C",
        ] {
            for raw in [RawHtml::Sanitise, RawHtml::Trusted] {
                let t = text(md, raw);
                assert_eq!(t.html, to_html(md, raw), "{md:?}");
                assert_eq!(t.plain, to_plain(md), "{md:?}");
                assert_eq!(t.markdown, md);
            }
        }
    }

    proptest::proptest! {
        /// The one streaming parse gives what separate renderings give.
        #[test]
        fn one_parse_for_any_markdown(
            md in r#"([a-z ]{0,8}|\*|_|`|\[l\]\((https://x\.org|/r|javascript:x)\)|<b>|</b>|\n|\n\n|- |1\. |# |> |    |\||---|&|"|!\[i\]\(https://x\.org/i\.png\)|\[\^1\]|\u{a0}|\u{0}|\u{1}|\u{c}|\t|\u{7f}|\u{fffe}){0,24}"#
        ) {
            for raw in [RawHtml::Sanitise, RawHtml::Trusted] {
                let t = text(&md, raw);
                proptest::prop_assert_eq!(&t.html, &to_html(&md, raw));
                proptest::prop_assert_eq!(&t.plain, &to_plain(&md));
            }
        }
    }

    #[test]
    fn plain_text_keeps_structure_and_links() {
        let p = to_plain("First *para*\nline.\n\nSee [site](https://example.org).\n\n- one\n- two\n\n<b>bold</b> text");
        assert_eq!(
            p,
            "First para line.\n\nSee site <https://example.org>.\n\n- one\n- two\n\nbold text"
        );
    }
}
