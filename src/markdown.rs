//! Markdown: pulldown-cmark to HTML (sanitised unless trusted) and to plain text for feeds.

use crate::model::{RawHtml, Text};
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown in all the forms the outputs need.
pub fn text(markdown: &str, raw_html: RawHtml) -> Text {
    Text {
        markdown: markdown.to_string(),
        html: to_html(markdown, raw_html),
        plain: to_plain(markdown),
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
    let mut out = String::with_capacity(markdown.len());
    let mut links: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
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

    #[test]
    fn plain_text_keeps_structure_and_links() {
        let p = to_plain("First *para*\nline.\n\nSee [site](https://example.org).\n\n- one\n- two\n\n<b>bold</b> text");
        assert_eq!(
            p,
            "First para line.\n\nSee site <https://example.org>.\n\n- one\n- two\n\nbold text"
        );
    }
}
