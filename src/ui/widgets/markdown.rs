//! Markdown written by users (run descriptions, `.md` artifacts), rendered safely.
//!
//! This is the one place user text becomes HTML. pulldown-cmark parses it and writes
//! the HTML; before that, every raw-HTML event is turned into plain text (so
//! `<script>` shows as the characters `<script>`), and links and images whose URL is
//! not http(s), mailto or relative are dropped, keeping their text. Everything the
//! HTML writer emits from text is escaped by it.

use leptos::prelude::*;
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// Renders `source` as sanitized Markdown.
#[component]
pub fn Markdown(#[prop(into)] source: Signal<String>) -> impl IntoView {
    view! { <div class="markdown" inner_html=move || render_markdown(&source.read())></div> }
}

/// `source` as HTML safe to assign to `innerHTML` (see the module doc).
pub fn render_markdown(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    // Links cannot nest in CommonMark, so one flag per kind finds the matching end.
    let (mut in_dropped_link, mut in_dropped_image) = (false, false);
    let events = Parser::new_ext(source, options).filter_map(move |event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link { ref dest_url, .. }) if !is_safe_url(dest_url) => {
            in_dropped_link = true;
            None
        }
        Event::End(TagEnd::Link) if in_dropped_link => {
            in_dropped_link = false;
            None
        }
        Event::Start(Tag::Image { ref dest_url, .. }) if !is_safe_url(dest_url) => {
            in_dropped_image = true;
            None
        }
        Event::End(TagEnd::Image) if in_dropped_image => {
            in_dropped_image = false;
            None
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Whether a link target is http(s), mailto or relative. Browsers ignore ASCII tabs,
/// newlines and leading control characters in URLs (`java\tscript:` runs), so the
/// scheme is read with those removed.
fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned[i..].starts_with(':') => {
            matches!(&cleaned[..i], "http" | "https" | "mailto")
        }
        _ => true,
    }
}
