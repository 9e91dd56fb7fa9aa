//! Params, latest metrics and tags of several runs side by side.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::compare::{CompareData, CompareRun};
use crate::core::text::format::{format_duration_ms, format_value, run_duration_ms};
use crate::ui::href;
use crate::ui::widgets::format_time;

/// One table row: a label and a value per run.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    key: String,
    values: Vec<Option<String>>,
}

impl Row {
    fn differs(&self) -> bool {
        self.values.windows(2).any(|w| w[0] != w[1])
    }
}

fn rows_of(
    runs: &[CompareRun],
    keys: BTreeSet<&String>,
    get: impl Fn(&CompareRun, &str) -> Option<String>,
) -> Vec<Row> {
    keys.into_iter()
        .map(|k| Row {
            key: k.clone(),
            values: runs.iter().map(|r| get(r, k)).collect(),
        })
        .collect()
}

/// The table's sections: (title, rows).
fn sections(data: &CompareData) -> Vec<(&'static str, Vec<Row>)> {
    let runs = &data.runs;
    let info = vec![
        Row {
            key: "Status".into(),
            values: runs
                .iter()
                .map(|r| {
                    Some(format!(
                        "{}{}",
                        r.status,
                        if r.deleted { " (deleted)" } else { "" }
                    ))
                })
                .collect(),
        },
        Row {
            key: "Experiment".into(),
            values: runs
                .iter()
                .map(|r| {
                    Some(if r.experiment_name.is_empty() {
                        r.experiment_id.clone()
                    } else {
                        r.experiment_name.clone()
                    })
                })
                .collect(),
        },
        Row {
            key: "Experiment ID".into(),
            values: runs.iter().map(|r| Some(r.experiment_id.clone())).collect(),
        },
        Row {
            key: "Start time".into(),
            values: runs.iter().map(|r| Some(format_time(r.start))).collect(),
        },
        Row {
            key: "Duration".into(),
            values: runs
                .iter()
                .map(|r| {
                    r.end.map(|end| {
                        format_duration_ms(run_duration_ms(r.start, Some(end), end) as f64)
                    })
                })
                .collect(),
        },
    ];
    let params = rows_of(
        runs,
        runs.iter().flat_map(|r| r.params.keys()).collect(),
        |r, k| r.params.get(k).cloned(),
    );
    let metrics = rows_of(
        runs,
        runs.iter().flat_map(|r| r.metrics.keys()).collect(),
        |r, k| r.metrics.get(k).map(|v| format_value(*v)),
    );
    let tags = rows_of(
        runs,
        runs.iter().flat_map(|r| r.tags.keys()).collect(),
        |r, k| r.tags.get(k).cloned(),
    );
    vec![
        ("Run", info),
        ("Parameters", params),
        ("Metrics", metrics),
        ("Tags", tags),
    ]
}

/// The side-by-side table, with "show differences only".
#[component]
pub fn CompareTable(data: Memo<Arc<CompareData>>) -> impl IntoView {
    let only_diff = RwSignal::new(false);
    let all = Memo::new(move |_| sections(&data.get()));
    view! {
        <div class="compare-table-head">
            <h2>"Side by side"</h2>
            <label class="toggle">
                <input
                    type="checkbox"
                    prop:checked=move || only_diff.get()
                    on:change=move |ev| only_diff.set(event_target_checked(&ev))
                />
                "Show differences only"
            </label>
        </div>
        <div class="table-scroll">
            <table class="grid compare">
                <thead>
                    <tr>
                        <th class="key-col" scope="col"><span class="sr-only">"Field"</span></th>
                        {move || data.with(|d| {
                            // Runs of several experiments say which is which under their names.
                            let several = d.experiments().len() > 1;
                            d.runs.iter().enumerate().map(|(i, r)| {
                                let link = href(&format!("/experiments/{}/runs/{}", r.experiment_id, r.id));
                                let exp = several.then(|| {
                                    let name = if r.experiment_name.is_empty() { r.experiment_id.clone() } else { r.experiment_name.clone() };
                                    view! { <span class="run-experiment muted">{name}</span> }
                                });
                                view! {
                                    <th scope="col">
                                        <span class=format!("swatch s{}", i % 10 + 1) aria-hidden="true"></span>
                                        <a href=link title=r.id.clone()>{r.name.clone()}</a>
                                        {exp}
                                    </th>
                                }
                            }).collect_view()
                        })}
                    </tr>
                </thead>
                {move || {
                    let diff = only_diff.get();
                    let span = (data.with(|d| d.runs.len()) + 1).to_string();
                    all.get().into_iter().map(|(title, rows)| {
                        let total = rows.len();
                        let shown: Vec<Row> = rows.into_iter().filter(|r| !diff || r.differs()).collect();
                        let note = match (total, shown.len()) {
                            (0, _) => Some("None logged.".to_owned()),
                            (t, 0) => Some(format!("All {t} are the same.")),
                            _ => None,
                        };
                        let span2 = span.clone();
                        view! {
                            <tbody class="section">
                                <tr class="section-title"><th scope="rowgroup" colspan=span.clone()>{title}</th></tr>
                                {note.map(|t| view! { <tr class="note"><td colspan=span2 class="muted">{t}</td></tr> })}
                                {shown.into_iter().map(|row| {
                                    let differs = row.differs();
                                    view! {
                                        <tr class:diff=differs>
                                            <th scope="row" class="key-col" title=row.key.clone()>{row.key.clone()}</th>
                                            {row.values.into_iter().map(|v| {
                                                let missing = v.is_none();
                                                let text = v.unwrap_or_else(|| "—".to_owned());
                                                view! { <td class:missing=missing>{text}</td> }
                                            }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        }
                    }).collect_view()
                }}
            </table>
        </div>
    }
}
