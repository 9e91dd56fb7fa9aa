//! Previews of one file (an artifact, a model's file) by kind.
//!
//! Safety: user files never become part of this page's DOM as HTML. Images (SVG
//! included) load through `<img>`, where scripts never run; Markdown goes through
//! [`crate::ui::widgets::markdown`]; HTML files render in an `<iframe sandbox="">` (no scripts,
//! an opaque origin) via `srcdoc`; everything else is text.

use std::sync::Arc;

use leptos::prelude::*;

use super::FilesOwner;
use crate::core::text::delimited::parse_delimited;
use crate::core::text::format::format_size;
use crate::core::text::json::pretty_json;
use crate::core::tracking::artifacts::mime_type;
use crate::ui::widgets::blob::BlobUrls;
use crate::ui::widgets::markdown::Markdown;

/// How a file is previewed, from its name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Image,
    Markdown,
    Json,
    Table(char),
    Html,
    Text,
    /// Unknown extension: text if it decodes as such, else no preview.
    Unknown,
}

fn kind_of(path: &str) -> Kind {
    match mime_type(path) {
        m if m.starts_with("image/") => Kind::Image,
        "text/markdown" => Kind::Markdown,
        "application/json" => Kind::Json,
        "text/csv" => Kind::Table(','),
        "text/tab-separated-values" => Kind::Table('\t'),
        "text/html" => Kind::Html,
        "text/plain" | "application/yaml" => Kind::Text,
        _ => Kind::Unknown,
    }
}

/// Text previews stop here (the download has the rest).
const MAX_TEXT_BYTES: usize = 1 << 20;
/// Rows of a CSV/TSV table shown (after the header).
pub const MAX_TABLE_ROWS: usize = 500;

#[derive(Clone)]
struct Loaded {
    bytes: Arc<Vec<u8>>,
    url: Option<String>,
}

/// The file's last path segment.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The preview pane of one of `owner`'s files, with its download button.
#[component]
pub fn FilePreview(owner: FilesOwner, path: String) -> impl IntoView {
    let urls = BlobUrls::scoped();
    let kind = kind_of(&path);
    let data = LocalResource::new({
        let (owner, path) = (owner.clone(), path.clone());
        move || {
            let (owner, path) = (owner.clone(), path.clone());
            async move {
                let bytes = owner
                    .read(&path)
                    .await?
                    .ok_or_else(|| owner.gone().to_owned())?;
                // Only images need their real type (for <img>); anything else gets a
                // download-only type, so a blob: URL opened in a tab never renders
                // user HTML on this origin.
                let mime = mime_type(&path);
                let url = urls.create(
                    &bytes,
                    if mime.starts_with("image/") {
                        mime
                    } else {
                        "application/octet-stream"
                    },
                );
                Ok::<_, String>(Loaded {
                    bytes: Arc::new(bytes),
                    url,
                })
            }
        }
    });
    let name = file_name(&path).to_owned();
    let body = {
        let path = path.clone();
        move || match data.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(l)) => render(kind, &path, &l).into_any(),
        }
    };
    let download = move || {
        let name = name.clone();
        data.get()
            .and_then(|r| r.ok())
            .and_then(|l| l.url)
            .map(|url| {
                view! { <a class="button download" href=url download=name>"Download"</a> }
            })
    };
    let size = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|l| format_size(l.bytes.len() as u64))
    };
    view! {
        <div class="artifact-preview" data-path=path.clone()>
            <div class="preview-head">
                <code class="preview-path">{path.clone()}</code>
                <span class="muted">{size}</span>
                {download}
            </div>
            <div class="preview-body">{body}</div>
        </div>
    }
}

fn render(kind: Kind, path: &str, l: &Loaded) -> impl IntoView {
    let text = || {
        let b = &l.bytes[..l.bytes.len().min(MAX_TEXT_BYTES)];
        String::from_utf8_lossy(b).into_owned()
    };
    let truncated = l.bytes.len() > MAX_TEXT_BYTES;
    let note = move || {
        truncated.then(|| view! { <p class="muted">"Showing the first 1 MB; download the file for the rest."</p> })
    };
    match kind {
        Kind::Image => match &l.url {
            Some(url) => view! { <img class="artifact-image" src=url.clone() alt=path.to_owned()/> }.into_any(),
            None => view! { <p class="error">"Could not make an image of this file."</p> }.into_any(),
        },
        Kind::Markdown => view! { <Markdown source=text()/> {note()} }.into_any(),
        Kind::Json => {
            let shown = text();
            // A cut-off document is not valid JSON: shown as it is.
            let pretty = if truncated {
                shown
            } else {
                pretty_json(&shown).unwrap_or(shown)
            };
            view! { <pre class="artifact-text json">{pretty}</pre> {note()} }.into_any()
        }
        Kind::Table(delim) => {
            let (rows, more) = parse_delimited(&text(), delim, MAX_TABLE_ROWS);
            table_view(rows, more || truncated).into_any()
        }
        Kind::Html => view! {
            <iframe class="artifact-html" sandbox="" srcdoc=text() title=format!("Preview of {path}")
                referrerpolicy="no-referrer"></iframe>
            <p class="muted">"Shown sandboxed: scripts in this file do not run."</p>
        }
        .into_any(),
        Kind::Text => view! { <pre class="artifact-text">{text()}</pre> {note()} }.into_any(),
        Kind::Unknown => {
            let head = &l.bytes[..l.bytes.len().min(8192)];
            if !head.contains(&0) && std::str::from_utf8(head).is_ok() {
                view! { <pre class="artifact-text">{text()}</pre> {note()} }.into_any()
            } else {
                view! { <p class="muted">"No preview for this kind of file. Use Download."</p> }.into_any()
            }
        }
    }
}

fn table_view(rows: Vec<Vec<String>>, more: bool) -> impl IntoView {
    let mut rows = rows.into_iter();
    let header = rows.next().unwrap_or_default();
    let body: Vec<Vec<String>> = rows.collect();
    let count = body.len();
    view! {
        <div class="artifact-table-wrap">
            <table class="grid artifact-table">
                <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {body.into_iter().map(|r| view! {
                        <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">
            {if more { format!("Showing the first {count} rows; download the file for the rest.") } else { format!("{count} rows.") }}
        </p>
    }
}
