//! "Artifacts side by side": images one path shares across the runs in a row of
//! same-size cells, per-step image series with a Step slider, and a side-by-side
//! diff of text files. Listed from the runs' artifact sizes; bytes are read only for
//! what is shown.

use std::sync::Arc;

use leptos::prelude::*;

use crate::core::compare::CompareData;
use crate::core::compare_artifacts::{comparable_artifacts, ImageSeries, SharedPath};
use crate::core::text::line_diff::{diff_lines, line_ending, DiffRow, Line, RowKind};
use crate::core::tracking::artifacts::mime_type;
use crate::service;
use crate::ui::widgets::blob::BlobUrls;
use crate::ui::Store;

/// (run id, run name) of each compared run, in compare order.
type Runs = Arc<Vec<(String, String)>>;

async fn read(run_id: &str, path: &str) -> Result<Vec<u8>, String> {
    let s = service::ready().ok_or_else(|| "The store is not open.".to_owned())?;
    s.artifact(run_id, path)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "This file is no longer among the run's artifacts.".to_owned())
}

/// The section, after the charts.
#[component]
pub fn CompareArtifacts(data: Memo<Arc<CompareData>>) -> impl IntoView {
    let store = expect_context::<Store>();
    let runs = Memo::new(move |_| {
        data.with(|d| {
            Arc::new(
                d.runs
                    .iter()
                    .map(|r| (r.id.clone(), r.name.clone()))
                    .collect::<Vec<_>>(),
            )
        })
    });
    let listing = LocalResource::new(move || {
        store.revision.track();
        let runs = runs.get();
        async move {
            let s = service::ready()?;
            let mut lists = Vec::with_capacity(runs.len());
            for (id, _) in runs.iter() {
                // a run whose artifacts cannot be listed just has none to compare
                let paths = s.artifact_sizes(id, "").await.unwrap_or_default();
                lists.push(paths.into_iter().map(|(p, _)| p).collect::<Vec<_>>());
            }
            Some(Arc::new(comparable_artifacts(&lists)))
        }
    });
    // Rebuilt only when what is comparable changes, not on every commit (a running
    // run's metrics), so sliders and picks keep their places.
    let found = Memo::new(move |_| listing.get().flatten());
    let body = move || {
        let Some(found) = found.get() else {
            return view! { <p class="muted">"Reading the runs' artifacts…"</p> }.into_any();
        };
        if found.is_empty() {
            return view! {
                <p class="muted">"No image or text artifact is in more than one of these runs."</p>
            }
            .into_any();
        }
        let runs = runs.get_untracked();
        let images = found
            .images
            .iter()
            .map(|s| view! { <SharedImage shared=s.clone() runs=runs.clone()/> })
            .collect_view();
        let series = found
            .series
            .iter()
            .map(|s| view! { <StepSeries series=s.clone() runs=runs.clone()/> })
            .collect_view();
        let texts = found
            .texts
            .iter()
            .map(|s| view! { <SharedText shared=s.clone() runs=runs.clone()/> })
            .collect_view();
        view! { {images} {series} {texts} }.into_any()
    };
    view! {
        <section class="compare-artifacts">
            <h2>"Artifacts side by side"</h2>
            {body}
        </section>
    }
}

/// One image path: a cell per compared run.
#[component]
fn SharedImage(shared: SharedPath, runs: Runs) -> impl IntoView {
    let cells = runs
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let path = shared.runs.contains(&i).then(|| shared.path.clone());
            view! {
                <ImageCell index=i run_id=id.clone() run_name=name.clone()
                    path=Signal::stored(path) missing="Not in this run".to_owned()/>
            }
        })
        .collect_view();
    view! {
        <div class="artifact-compare" data-path=shared.path.clone()>
            <h3><code>{shared.path.clone()}</code></h3>
            <div class="image-row">{cells}</div>
        </div>
    }
}

/// A per-step key: the Step slider and a cell per run showing its image there.
#[component]
fn StepSeries(series: ImageSeries, runs: Runs) -> impl IntoView {
    let series = Arc::new(series);
    let last = series.steps.len().saturating_sub(1);
    let at = RwSignal::new(0usize);
    let step = {
        let series = series.clone();
        Memo::new(move |_| series.steps[at.get().min(last)])
    };
    let cells = runs
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let series = series.clone();
            let path = Signal::derive(move || series.image_at(i, step.get()).map(str::to_owned));
            let missing = Signal::derive(move || format!("No image at step {}", step.get()));
            view! {
                <ImageCell index=i run_id=id.clone() run_name=name.clone() path missing/>
            }
        })
        .collect_view();
    let slider_id = format!("step-{}", series.key);
    view! {
        <div class="artifact-compare image-series" data-key=series.key.clone()
            data-step=move || step.get().to_string()>
            <h3><code>{series.key.clone()}</code> <span class="muted">" per step"</span></h3>
            <div class="field step-field">
                <label for=slider_id.clone()>"Step"</label>
                <input type="range" id=slider_id.clone() min="0" max=last.to_string() step="1"
                    prop:value=move || at.get().to_string()
                    on:input=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            at.set(i.min(last));
                        }
                    }/>
                <output for=slider_id>{move || step.get().to_string()}</output>
            </div>
            <div class="image-row">{cells}</div>
        </div>
    }
}

/// One run's image (read when its path is known), or why there is none.
#[component]
fn ImageCell(
    index: usize,
    run_id: String,
    run_name: String,
    path: Signal<Option<String>>,
    #[prop(into)] missing: Signal<String>,
) -> impl IntoView {
    let urls = BlobUrls::scoped();
    let image = LocalResource::new({
        let run_id = run_id.clone();
        move || {
            let (run_id, path) = (run_id.clone(), path.get());
            async move {
                let Some(path) = path else { return Ok(None) };
                let bytes = read(&run_id, &path).await?;
                // one image per cell at a time: the one it replaces is let go
                urls.revoke_all();
                let url = urls
                    .create(&bytes, mime_type(&path))
                    .ok_or_else(|| "Could not make an image of this file.".to_owned())?;
                Ok::<_, String>(Some((path, url)))
            }
        }
    });
    let name = if run_name.is_empty() {
        run_id.clone()
    } else {
        run_name
    };
    let body = move || match image.get() {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Some(Ok(None)) => view! { <p class="muted no-image">{missing.get()}</p> }.into_any(),
        Some(Ok(Some((path, url)))) => {
            view! { <img class="compare-image" src=url alt=path.clone() data-path=path/> }
                .into_any()
        }
    };
    view! {
        <figure class="image-cell" data-run=run_id>
            <figcaption>
                <span class=format!("swatch s{}", index % 10 + 1) aria-hidden="true"></span>
                {name}
            </figcaption>
            <div class="image-frame">{body}</div>
        </figure>
    }
}

/// One text path: two selects for the runs and their diff.
#[component]
fn SharedText(shared: SharedPath, runs: Runs) -> impl IntoView {
    let holders: Vec<(usize, String)> = shared
        .runs
        .iter()
        .map(|&i| {
            let (id, name) = &runs[i];
            (
                i,
                if name.is_empty() {
                    id.clone()
                } else {
                    name.clone()
                },
            )
        })
        .collect();
    let left = RwSignal::new(holders[0].0);
    let right = RwSignal::new(holders.get(1).map_or(holders[0].0, |h| h.0));
    let select = |side: RwSignal<usize>, label: &'static str| {
        let options = holders
            .iter()
            .map(|(i, name)| {
                let i = *i;
                view! { <option value=i.to_string() selected=move || side.get() == i>{name.clone()}</option> }
            })
            .collect_view();
        view! {
            <label class="field">
                <span>{label}</span>
                <select on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse() { side.set(i) }
                }>{options}</select>
            </label>
        }
    };
    let path = shared.path.clone();
    let diff = LocalResource::new({
        let runs = runs.clone();
        move || {
            let (l, r) = (left.get(), right.get());
            let (lid, rid) = (runs[l].0.clone(), runs[r].0.clone());
            let path = path.clone();
            async move {
                let a = read(&lid, &path).await?;
                let b = read(&rid, &path).await?;
                let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
                diff_lines(&a, &b).map_err(|e| e.to_string())
            }
        }
    });
    let table = move || match diff.get() {
        None => view! { <p class="muted">"Reading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="muted diff-error">{e}</p> }.into_any(),
        Some(Ok(rows)) if rows.iter().all(|r| r.kind == RowKind::Same) => {
            view! { <p class="muted">"The two files are the same."</p> }.into_any()
        }
        Some(Ok(rows)) => diff_table(rows).into_any(),
    };
    view! {
        <div class="artifact-compare text-compare" data-path=shared.path.clone()>
            <h3><code>{shared.path.clone()}</code></h3>
            <div class="plot-controls">{select(left, "Left")}{select(right, "Right")}</div>
            {table}
        </div>
    }
}

fn diff_table(rows: Vec<DiffRow>) -> impl IntoView {
    let side = |line: Option<Line>, class: &'static str| match line {
        None => {
            view! { <td class="ln"></td><td class=format!("code empty {class}")></td> }.into_any()
        }
        Some(l) => {
            let (text, ending) = line_ending(&l.text);
            let note = match ending {
                "\r\n" => Some("CRLF"),
                "" => Some("no newline at end"),
                _ => None,
            };
            view! {
                <td class="ln">{l.number}</td>
                <td class=format!("code {class}")>
                    {text.to_owned()}
                    {note.map(|n| view! { <span class="line-end">{n}</span> })}
                </td>
            }
            .into_any()
        }
    };
    let body = rows
        .into_iter()
        .map(|r| {
            let (kind, l, rc) = match r.kind {
                RowKind::Same => ("same", "", ""),
                RowKind::Removed => ("removed", "del", ""),
                RowKind::Added => ("added", "", "ins"),
                RowKind::Changed => ("changed", "del", "ins"),
            };
            view! { <tr class=kind>{side(r.left, l)}{side(r.right, rc)}</tr> }
        })
        .collect_view();
    view! {
        <div class="diff-wrap">
            <table class="line-diff"><tbody>{body}</tbody></table>
        </div>
    }
}
