//! Markdown written by users (run descriptions, `.md` artifacts), rendered safely.
//!
//! This is the one place user text becomes HTML. pulldown-cmark parses it and writes
//! the HTML; before that, every raw-HTML event is turned into plain text (so
//! `<script>` shows as the characters `<script>`), and links and images whose URL is
//! not http(s), mailto or relative are dropped, keeping their text
//! ([`is_safe_url`]). Everything the HTML writer emits from text is escaped by it.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

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

/// Whether a link or image target is http(s), mailto or relative: the gate that keeps
/// `javascript:`, `data:`, `vbscript:` and every other scheme out of rendered
/// Markdown. Browsers ignore ASCII tabs, newlines and leading control characters in
/// URLs (`java\tscript:` runs), so the scheme is read with every control character
/// and whitespace removed, in any case. (Entities such as `&#106;` are decoded by the
/// Markdown parser before a URL gets here.)
pub fn is_safe_url(url: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of spelling a dangerous scheme that a browser would still run.
    fn dangerous_urls() -> Vec<String> {
        let mut urls = Vec::new();
        for scheme in ["javascript", "data", "vbscript", "file", "blob"] {
            let upper = scheme.to_ascii_uppercase();
            let mixed: String = scheme
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            let (head, tail) = scheme.split_at(2);
            for spelled in [
                scheme.to_owned(),
                upper,
                mixed,
                format!(" {scheme}"),
                format!("\t{scheme}"),
                format!("\u{0}{scheme}"),
                format!("\u{1b}{scheme}"),
                format!("{head}\t{tail}"),
                format!("{head}\n{tail}"),
                format!("{head}\r\n{tail}"),
                format!("{head}\u{0}{tail}"),
                format!("{head}\u{a0}{tail}"),
                format!("{scheme} "),
            ] {
                urls.push(format!("{spelled}:alert(1)"));
            }
        }
        urls.push("data:text/html;base64,PHNjcmlwdD4=".into());
        urls.push("javascript:/* comment */alert(1)".into());
        urls.push("javascript://%0aalert(1)".into());
        urls
    }

    #[test]
    fn dangerous_schemes_fail_the_gate_in_every_spelling() {
        for url in dangerous_urls() {
            assert!(!is_safe_url(&url), "{url:?} passed");
        }
    }

    #[test]
    fn web_mail_and_relative_urls_pass() {
        for url in [
            "http://example.com/a?b=c#d",
            "HTTPS://EXAMPLE.COM",
            "mailto:someone@example.com",
            "/experiments/1",
            "runs/abc",
            "./a:b",
            "../x",
            "#section",
            "?q=javascript:x",
            "a/b:c",
            "",
            // Browsers drop these spaces, so the link works: no reason to refuse it.
            " https://example.com",
            "\thttp://example.com",
            "ht\ntp://example.com",
        ] {
            assert!(is_safe_url(url), "{url:?} refused");
        }
    }

    #[test]
    fn dropped_links_keep_their_text_and_lose_the_target() {
        for url in dangerous_urls() {
            // Angle brackets let the destination hold spaces and controls.
            let md = format!("[click me](<{}>)", url.replace(['\n', '\r'], ""));
            let html = render_markdown(&md);
            assert!(html.contains("click me"), "{md:?} → {html}");
            assert!(!html.contains("<a"), "{md:?} → {html}");
        }
        assert_eq!(render_markdown("[x](javascript:alert(1))"), "<p>x</p>\n");
    }

    #[test]
    fn entity_encoded_schemes_are_decoded_before_the_gate() {
        for md in [
            "[x](&#106;avascript:alert(1))",
            "[x](&#x6A;avascript:alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](java&#x09;script:alert(1))",
            "[x](java&Tab;script:alert(1))",
            "[x](&#0000106;&#0000097;vascript:alert(1))",
            "![x](data&colon;image/svg+xml,<svg onload=alert(1)>)",
        ] {
            let html = render_markdown(md);
            assert!(!html.contains("href="), "{md:?} → {html}");
            assert!(!html.contains("src="), "{md:?} → {html}");
        }
    }

    #[test]
    fn autolinks_reference_links_and_images_go_through_the_gate() {
        let html = render_markdown("<javascript:alert(1)>");
        assert!(!html.contains("href"), "{html}");
        let html = render_markdown("[x][r]\n\n[r]: JavaScript:alert(1)");
        assert!(!html.contains("href"), "{html}");
        let html = render_markdown("![alt text](vbscript:msgbox(1))");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("alt text"), "{html}");
        let html = render_markdown("![chart](https://example.com/c.png) [ok](/runs)");
        assert!(html.contains(r#"<img src="https://example.com/c.png" alt="chart" />"#));
        assert!(html.contains(r#"<a href="/runs">ok</a>"#));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html =
            render_markdown("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> there");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        let html = render_markdown(r#"<a href="javascript:alert(1)">x</a>"#);
        assert!(!html.contains("<a "), "{html}");
        let html = render_markdown("<div>\n<iframe src=//evil></iframe>\n</div>");
        assert!(
            !html.contains("<iframe") && !html.contains("<div"),
            "{html}"
        );
    }

    #[test]
    fn attributes_cannot_be_broken_out_of() {
        let html = render_markdown(r#"[x](http://a "t\" onmouseover=\"alert(1)")"#);
        assert!(!html.contains("\" onmouseover"), "{html}");
        let html = render_markdown("[x](http://a\"onmouseover=alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }

    #[test]
    fn markdown_features_still_render() {
        let html = render_markdown(
            "# Title\n\n**bold** ~~old~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n",
        );
        for piece in [
            "<h1>Title</h1>",
            "<strong>bold</strong>",
            "<del>old</del>",
            "<table>",
            "<td>1</td>",
            "checkbox",
        ] {
            assert!(html.contains(piece), "{piece} missing in {html}");
        }
    }
}
