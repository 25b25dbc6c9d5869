//! Markdown: pulldown-cmark to HTML (sanitised unless trusted) and to plain text for feeds.

use crate::model::{RawHtml, Text};
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown in all the forms the outputs need, parsing it once.
pub fn text(markdown: &str, raw_html: RawHtml) -> Text {
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    Text {
        markdown: markdown.to_string(),
        plain: plain_of(markdown, events.iter().cloned()),
        html: html_of(markdown, events, raw_html),
    }
}

/// Markdown to HTML. Unless trusted, the HTML goes through an allow-list
/// sanitiser: no scripts, styles, event handlers or `javascript:` URLs.
pub fn to_html(markdown: &str, raw_html: RawHtml) -> String {
    html_of(
        markdown,
        Parser::new_ext(markdown, options()).collect(),
        raw_html,
    )
}

/// The HTML of `markdown`, whose events are `events`.
fn html_of(markdown: &str, events: Vec<Event>, raw_html: RawHtml) -> String {
    let events = match raw_html {
        RawHtml::Trusted => events,
        RawHtml::Sanitise => match plain_subset_html(markdown, events) {
            Ok(html) => return html,
            Err(events) => events,
        },
    };
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    match raw_html {
        RawHtml::Trusted => out,
        RawHtml::Sanitise => sanitiser().clean(&out).to_string(),
    }
}

/// The sanitised HTML of Markdown that uses only constructs whose HTML the
/// sanitiser would keep byte for byte (paragraphs, emphasis, code, lists,
/// headings, quotes, and links to http, https or mailto URLs, which get the
/// sanitiser's `rel`), written directly: most abstracts, without the cost
/// of parsing the HTML again. None when anything else occurs (raw HTML,
/// images, tables, footnotes, other URLs, characters the two escape
/// differently); the caller then takes the sanitiser's path with the
/// events handed back.
fn plain_subset_html<'a>(markdown: &str, events: Vec<Event<'a>>) -> Result<String, Vec<Event<'a>>> {
    for event in &events {
        let keep = match event {
            Event::Text(t) | Event::Code(t) => !t.contains(['"', '\u{a0}']),
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
        };
        if !keep {
            return Err(events);
        }
    }
    let events = events.into_iter().map(|event| match event {
        Event::Start(Tag::Link { dest_url, .. }) => {
            Event::Html(format!("<a href=\"{dest_url}\" rel=\"noopener noreferrer\">").into())
        }
        Event::End(TagEnd::Link) => Event::Html("</a>".into()),
        e => e,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    Ok(out)
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
    plain_of(markdown, Parser::new_ext(markdown, options()))
}

/// The plain text of `markdown`, whose events are `events`.
fn plain_of<'a>(markdown: &str, events: impl Iterator<Item = Event<'a>>) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut links: Vec<String> = Vec::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                newline(&mut out);
                out.push_str("- ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    if !url.is_empty() && !out.ends_with(url.as_str()) {
                        out.push_str(&format!(" <{url}>"));
                    }
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::List(_),
            ) => {
                paragraph(&mut out);
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
            Event::Rule => paragraph(&mut out),
            _ => {}
        }
    }
    out.trim().to_string()
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
            let fast = plain_subset_html(md, Parser::new_ext(md, options()).collect()).ok();
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
            assert!(
                plain_subset_html(md, Parser::new_ext(md, options()).collect()).is_err(),
                "{md:?} took the direct path"
            );
        }
        for md in ["*a* [b](https://example.org)", "- x\n- y", "plain"] {
            assert!(
                plain_subset_html(md, Parser::new_ext(md, options()).collect()).is_ok(),
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
        ] {
            for raw in [RawHtml::Sanitise, RawHtml::Trusted] {
                let t = text(md, raw);
                assert_eq!(t.html, to_html(md, raw), "{md:?}");
                assert_eq!(t.plain, to_plain(md), "{md:?}");
                assert_eq!(t.markdown, md);
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
