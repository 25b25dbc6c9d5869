//! Markdown: pulldown-cmark to HTML (sanitised unless trusted) and to plain text for feeds.
