//! The tree of expandable directories beside a preview of the selected file; every
//! file has a download button.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::preview::{file_name, FilePreview};
use super::FilesOwner;
use crate::core::text::format::format_size;
use crate::core::tracking::artifacts::list_children;
use crate::ui::widgets::blob::BlobUrls;
use crate::ui::Store;

/// A visible line of the tree.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    path: String,
    depth: usize,
    is_dir: bool,
    size: Option<u64>,
}

/// The lines shown: the root's children, and the children of expanded directories
/// right under them.
fn visible_rows(files: &[(String, u64)], expanded: &BTreeSet<String>) -> Vec<Row> {
    fn walk(
        files: &[(String, u64)],
        dir: &str,
        depth: usize,
        ex: &BTreeSet<String>,
        out: &mut Vec<Row>,
    ) {
        for c in list_children(files, dir) {
            let open = c.is_dir && ex.contains(&c.path);
            out.push(Row {
                path: c.path.clone(),
                depth,
                is_dir: c.is_dir,
                size: c.size,
            });
            if open {
                walk(files, &c.path, depth + 1, ex, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(files, "", 0, expanded, &mut out);
    out
}

/// The folders `path` sits in (`a/b/c.txt` → `a`, `a/b`), as the tree names them.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// The files of `owner` as a tree (labelled `label`) and the preview of the selected
/// one; `empty` is shown when there are none. Listed again after every commit.
/// `selected`, when given, is the selection shared with the rest of the page: setting
/// it from elsewhere opens the file's folders and previews it.
#[component]
pub fn FileBrowser(
    owner: FilesOwner,
    #[prop(into)] label: String,
    #[prop(into)] empty: ViewFn,
    #[prop(optional)] selected: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let owner = StoredValue::new(owner);
    let files = LocalResource::new(move || {
        store.revision.track();
        let owner = owner.get_value();
        async move { owner.list().await }
    });
    let expanded = RwSignal::new(BTreeSet::<String>::new());
    let selected = selected.unwrap_or_else(|| RwSignal::new(None));
    // A file selected from elsewhere shows in its opened folders.
    Effect::new(move |_| {
        selected.with(|s| {
            let Some(path) = s else { return };
            let closed: Vec<String> = expanded.with_untracked(|e| {
                ancestors(path)
                    .filter(|a| !e.contains(*a))
                    .map(str::to_owned)
                    .collect()
            });
            if !closed.is_empty() {
                expanded.update(|e| e.extend(closed));
            }
        })
    });
    let urls = BlobUrls::scoped();
    let listing = Memo::new(move |_| match files.get() {
        Some(Ok(f)) => Some(f),
        _ => None,
    });
    let rows = Memo::new(move |_| {
        listing.with(|f| {
            f.as_ref()
                .map(|f| expanded.with(|ex| visible_rows(f, ex)))
                .unwrap_or_default()
        })
    });
    // The preview is made anew when the selection or the file's size changes.
    let preview_key = Memo::new(move |_| {
        let path = selected.get()?;
        let size = listing.with(|f| {
            f.as_ref()?
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, s)| *s)
        });
        Some((path, size))
    });

    let row_view = move |row: Row| {
        let Row {
            path,
            depth,
            is_dir,
            size,
        } = row;
        let name = file_name(&path).to_owned();
        let indent = format!("{}rem", 0.4 + depth as f64 * 1.1);
        let open = {
            let path = path.clone();
            Memo::new(move |_| expanded.with(|e| e.contains(&path)))
        };
        let is_selected = {
            let path = path.clone();
            Memo::new(move |_| selected.with(|s| s.as_deref() == Some(path.as_str())))
        };
        let click = {
            let path = path.clone();
            move |_| {
                if is_dir {
                    expanded.update(|e| {
                        if !e.remove(&path) {
                            e.insert(path.clone());
                        }
                    });
                } else {
                    selected.set(Some(path.clone()));
                }
            }
        };
        let download = (!is_dir).then(|| {
            view! { <DownloadLink owner=owner.get_value() path=path.clone() urls/> }
        });
        view! {
            <li role="treeitem" class="artifact-row" class:dir=is_dir class:selected=move || is_selected.get()
                aria-expanded=move || is_dir.then(|| open.get().to_string())
                aria-selected=move || (!is_dir).then(|| is_selected.get().to_string())
                data-path=path.clone()>
                <button type="button" class="artifact-name" style:padding-left=indent on:click=click>
                    <span class="twisty" aria-hidden="true">
                        {move || if !is_dir { "" } else if open.get() { "▾" } else { "▸" }}
                    </span>
                    <span class=if is_dir { "icon dir" } else { "icon file" } aria-hidden="true"></span>
                    {name}
                </button>
                {size.map(|s| view! { <span class="size muted">{format_size(s)}</span> })}
                {download}
            </li>
        }
    };

    view! {
        {move || match files.get() {
            None => view! { <p class="muted">"Reading files…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">"Could not list the files: " {e}</p> }.into_any(),
            Some(Ok(f)) if f.is_empty() => empty.run(),
            Some(Ok(_)) => ().into_any(),
        }}
        <Show when=move || listing.with(|f| f.as_ref().is_some_and(|f| !f.is_empty()))>
            <div class="artifacts">
                <ul class="artifact-tree" role="tree" aria-label=label.clone()>
                    <For each=move || rows.get() key=|r| (r.path.clone(), r.size) children=row_view/>
                </ul>
                <div class="artifact-pane">
                    {move || match preview_key.get() {
                        Some((path, _)) => view! { <FilePreview owner=owner.get_value() path/> }.into_any(),
                        None => view! { <p class="muted pane-hint">"Select a file to preview it."</p> }.into_any(),
                    }}
                </div>
            </div>
        </Show>
    }
}

/// A download button for one file. The bytes are read when the pointer or focus
/// reaches it (so its `href` is a ready `blob:` URL by the click); a click before
/// that reads them and then starts the download.
#[component]
fn DownloadLink(owner: FilesOwner, path: String, urls: BlobUrls) -> impl IntoView {
    let href = RwSignal::new(None::<String>);
    let loading = StoredValue::new(false);
    let name = file_name(&path).to_owned();
    let fetch = {
        let (owner, path) = (owner.clone(), path.clone());
        move |then_click: Option<web_sys::HtmlElement>| {
            if href.get_untracked().is_some() || loading.get_value() {
                return;
            }
            loading.set_value(true);
            let (owner, path) = (owner.clone(), path.clone());
            leptos::task::spawn_local(async move {
                if let Ok(Some(bytes)) = owner.read(&path).await {
                    // Download-only type: never rendered as a document on this origin.
                    if let Some(url) = urls.create(&bytes, "application/octet-stream") {
                        if let Some(a) = &then_click {
                            let _ = a.set_attribute("href", &url);
                        }
                        let _ = href.try_set(Some(url));
                        if let Some(a) = then_click {
                            a.click();
                        }
                    }
                }
                let _ = loading.try_set_value(false);
            });
        }
    };
    let (f1, f2, f3) = (fetch.clone(), fetch.clone(), fetch);
    let target = |ev: &web_sys::Event| {
        use wasm_bindgen::JsCast;
        ev.current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    };
    view! {
        <a class="download-link" href=move || href.get() download=name.clone()
            title=format!("Download {name}") aria-label=format!("Download {path}")
            on:pointerenter=move |_| f1(None)
            on:focus=move |_| f2(None)
            on:click=move |ev| {
                if href.get_untracked().is_none() {
                    ev.prevent_default();
                    f3(target(&ev));
                }
            }>
            "⤓"
        </a>
    }
}
