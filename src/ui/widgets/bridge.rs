//! The site's end of the notebook bridge (`mlflow.connect` in a page of another
//! origin): asks the user once whether that origin may write here (remembered per
//! origin, revocable), stores what an allowed origin mirrors, in order, and
//! acknowledges it. Messages from origins not allowed, or malformed, are ignored and
//! counted, never applied.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::interchange::mirror::Mirror;
use crate::service;

const ALLOWED_KEY: &str = "ferroflow.allowed-origins";

/// An origin's live state, for the connections list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Receiving {
    /// Messages stored from it (this page's lifetime).
    pub messages: u64,
    /// When the last one was stored (ms).
    pub last_ms: f64,
}

/// The bridge's state, shared by the prompt, the header and the connections page.
#[derive(Clone, Copy)]
pub struct Bridge {
    /// Origins that asked and wait for the user's answer.
    pub asking: RwSignal<Vec<String>>,
    /// Origins the user allowed.
    pub allowed: RwSignal<BTreeSet<String>>,
    /// What each origin sent.
    pub receiving: RwSignal<BTreeMap<String, Receiving>>,
    /// Messages ignored: from origins not allowed, or malformed.
    pub ignored: RwSignal<u64>,
}

struct Queued {
    origin: String,
    seq: f64,
    reply_to: web_sys::Window,
    json: String,
    parts: Vec<Vec<u8>>,
}

thread_local! {
    /// Messages waiting to be stored, in arrival order (one at a time, so a later
    /// copy of a record always wins).
    static QUEUE: RefCell<VecDeque<Queued>> = const { RefCell::new(VecDeque::new()) };
    static DRAINING: RefCell<bool> = const { RefCell::new(false) };
    /// Who asked, to answer them.
    static ASKERS: RefCell<BTreeMap<String, web_sys::Window>> = const { RefCell::new(BTreeMap::new()) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_allowed() -> BTreeSet<String> {
    storage()
        .and_then(|s| s.get_item(ALLOWED_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_allowed(allowed: &BTreeSet<String>) {
    if let Some(s) = storage() {
        let _ = s.set_item(
            ALLOWED_KEY,
            &serde_json::to_string(allowed).unwrap_or_default(),
        );
    }
}

fn reply(to: &web_sys::Window, origin: &str, kind: &str, seq: Option<f64>) {
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &kind.into());
    if let Some(seq) = seq {
        let _ = js_sys::Reflect::set(&msg, &"seq".into(), &seq.into());
    }
    let _ = to.post_message(&msg, origin);
}

impl Bridge {
    /// Starts listening (call [`Bridge::ready`] once the store is open).
    pub fn start() -> Bridge {
        let bridge = Bridge {
            asking: RwSignal::new(Vec::new()),
            allowed: RwSignal::new(load_allowed()),
            receiving: RwSignal::new(BTreeMap::new()),
            ignored: RwSignal::new(0),
        };
        let Some(window) = web_sys::window() else {
            return bridge;
        };
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                bridge.heard(ev);
            });
        let _ =
            window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        on_message.forget();
        bridge
    }

    /// The store is open: tells the tab that opened this one (`#connect`) to ask.
    pub fn ready(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let asked_for = window.location().hash().unwrap_or_default() == "#connect";
        // A window of another origin is not `instanceof Window` here: no checked cast.
        let opener = (window.opener().ok())
            .filter(|o| !o.is_null() && !o.is_undefined())
            .map(|o| o.unchecked_into::<web_sys::Window>());
        if let (true, Some(opener)) = (asked_for, opener) {
            // The opener's origin is unknown until it speaks: "ready" carries nothing.
            reply(&opener, "*", "ferroflow-site-ready", None);
        }
    }

    fn heard(self, ev: web_sys::MessageEvent) {
        let origin = ev.origin();
        let data = ev.data();
        let Some(kind) = js_sys::Reflect::get(&data, &"type".into())
            .ok()
            .and_then(|t| t.as_string())
        else {
            return;
        };
        if !kind.starts_with("ferroflow-") {
            return;
        }
        let Some(source) = ev.source().map(|s| s.unchecked_into::<web_sys::Window>()) else {
            self.ignored.update(|n| *n += 1);
            return;
        };
        let own = web_sys::window().and_then(|w| w.location().origin().ok());
        if own.as_deref() == Some(origin.as_str()) {
            return;
        }
        match kind.as_str() {
            "ferroflow-connect" => {
                if self.allowed.with_untracked(|a| a.contains(&origin)) {
                    reply(&source, &origin, "ferroflow-allowed", None);
                } else {
                    ASKERS.with(|a| a.borrow_mut().insert(origin.clone(), source));
                    self.asking.update(|q| {
                        if !q.contains(&origin) {
                            q.push(origin);
                        }
                    });
                }
            }
            "ferroflow-mirror" if self.allowed.with_untracked(|a| a.contains(&origin)) => {
                let seq = js_sys::Reflect::get(&data, &"seq".into())
                    .ok()
                    .and_then(|s| s.as_f64());
                let json = js_sys::Reflect::get(&data, &"json".into())
                    .ok()
                    .and_then(|s| s.as_string());
                let parts = js_sys::Reflect::get(&data, &"parts".into())
                    .ok()
                    .filter(js_sys::Array::is_array)
                    .map(|p| {
                        js_sys::Array::from(&p)
                            .iter()
                            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                            .collect()
                    });
                match (seq, json, parts) {
                    (Some(seq), Some(json), Some(parts)) => {
                        QUEUE.with(|q| {
                            q.borrow_mut().push_back(Queued {
                                origin,
                                seq,
                                reply_to: source,
                                json,
                                parts,
                            })
                        });
                        self.drain();
                    }
                    _ => self.ignored.update(|n| *n += 1),
                }
            }
            _ => self.ignored.update(|n| *n += 1),
        }
    }

    /// Stores queued messages one after another, acknowledging each.
    fn drain(self) {
        if DRAINING.with(|d| d.replace(true)) {
            return;
        }
        leptos::task::spawn_local(async move {
            while let Some(m) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
                let Some(s) = service::ready() else { break };
                match Mirror::decode(&m.json, &m.parts) {
                    Ok(mirror) => match s.apply_mirror(mirror).await {
                        Ok(()) => {
                            reply(&m.reply_to, &m.origin, "ferroflow-ack", Some(m.seq));
                            let now = js_sys::Date::now();
                            self.receiving.update(|r| {
                                let e = r.entry(m.origin.clone()).or_default();
                                e.messages += 1;
                                e.last_ms = now;
                            });
                        }
                        Err(e) => {
                            web_sys::console::error_1(
                                &format!("Ferroflow could not store what {} sent: {e}", m.origin)
                                    .into(),
                            );
                        }
                    },
                    Err(e) => {
                        web_sys::console::warn_1(
                            &format!(
                                "Ferroflow ignored a malformed message from {}: {e}",
                                m.origin
                            )
                            .into(),
                        );
                        self.ignored.update(|n| *n += 1);
                    }
                }
            }
            DRAINING.with(|d| *d.borrow_mut() = false);
        });
    }

    /// The user's answer for `origin`.
    pub fn answer(self, origin: &str, allow: bool) {
        self.asking.update(|q| q.retain(|o| o != origin));
        if allow {
            self.allowed.update(|a| {
                a.insert(origin.to_owned());
                save_allowed(a);
            });
        }
        if let Some(to) = ASKERS.with(|a| a.borrow_mut().remove(origin)) {
            reply(
                &to,
                origin,
                if allow {
                    "ferroflow-allowed"
                } else {
                    "ferroflow-denied"
                },
                None,
            );
        }
    }

    /// Forgets that `origin` may write here.
    pub fn revoke(self, origin: &str) {
        self.allowed.update(|a| {
            a.remove(origin);
            save_allowed(a);
        });
    }
}

/// "Allow <origin> to write to your Ferroflow?", for each origin that asked.
#[component]
pub fn BridgePrompt() -> impl IntoView {
    let bridge = expect_context::<Bridge>();
    move || {
        bridge.asking.get().into_iter().map(|origin| {
            let (allow, deny) = (origin.clone(), origin.clone());
            view! {
                <div class="bridge-prompt" role="alertdialog" aria-label="Allow a page to write here">
                    <p>"Allow " <strong class="mono">{origin.clone()}</strong> " to write to your Ferroflow?"</p>
                    <p class="muted">"It can then add experiments, runs, metrics, artifacts and models to this browser's store. You can revoke it on the Connections page."</p>
                    <div class="actions">
                        <button class="primary" on:click=move |_| bridge.answer(&allow, true)>"Allow"</button>
                        <button on:click=move |_| bridge.answer(&deny, false)>"Deny"</button>
                    </div>
                </div>
            }
        }).collect_view()
    }
}

/// The connected origins, their live state, and Revoke.
#[component]
pub fn Connections() -> impl IntoView {
    let bridge = expect_context::<Bridge>();
    // Re-render the "receiving" state as time passes.
    let tick = RwSignal::new(0u64);
    let handle = set_interval_with_handle(
        move || tick.update(|t| *t += 1),
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    view! {
        <section class="connections">
            <h1>"Connections"</h1>
            <p class="muted">"Pages of other origins (a notebook calling " <code>"mlflow.connect()"</code> ") that may write to this browser's Ferroflow."</p>
            {move || {
                tick.track();
                let allowed = bridge.allowed.get();
                if allowed.is_empty() {
                    return view! { <p class="table-note">"No page is connected."</p> }.into_any();
                }
                let now = js_sys::Date::now();
                let rows = allowed.into_iter().map(|origin| {
                    let r = bridge.receiving.with(|m| m.get(&origin).cloned()).unwrap_or_default();
                    let live = r.messages > 0 && now - r.last_ms < 3000.0;
                    let o = origin.clone();
                    view! {
                        <tr data-origin=origin.clone()>
                            <td class="mono">{origin.clone()}</td>
                            <td class="state">{if live { "receiving" } else if r.messages > 0 { "idle" } else { "allowed" }}</td>
                            <td class="num">{r.messages}</td>
                            <td><button class="danger" on:click=move |_| bridge.revoke(&o)>"Revoke"</button></td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-scroll"><table class="grid">
                        <thead><tr><th>"Origin"</th><th>"State"</th><th class="num">"Messages stored"</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                }.into_any()
            }}
            <p class="muted ignored">{move || format!("Ignored messages (not allowed or malformed): {}", bridge.ignored.get())}</p>
        </section>
    }
}
