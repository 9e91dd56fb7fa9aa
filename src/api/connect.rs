//! `mlflow.connect({site})`: the bridge from a page of another origin (an Observable
//! notebook) to the Ferroflow site, which has its own IndexedDB. Called from a user
//! gesture, it opens the site in a new tab; the site asks its user whether this origin
//! may write to it; once allowed, everything this context stored (`replay`, the
//! default) and every later commit is posted to the site as a mirror message
//! (`core::interchange::mirror`), which the site stores as is, ids kept, and
//! acknowledges. Messages not acknowledged are sent again when the site tab reloads;
//! calling `connect` again (after a reopen) replays everything, which the site stores
//! idempotently: nothing is duplicated.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::args::Opts;
use super::{errors, svc, with_service};
use crate::core::error::ErrorCode;
use crate::core::interchange::mirror::Mirror;

/// About how much one replay message carries.
const REPLAY_BYTES: usize = 4 << 20;

#[wasm_bindgen(typescript_custom_section)]
const TS_CONNECT: &str = r#"
export interface ConnectOptions {
  /** The Ferroflow site (default: where mlflow.js was loaded from). */
  site?: string;
  /** Send everything this context has stored first (default true). */
  replay?: boolean;
}
export interface Connection { site: string; origin: string; }
"#;

#[wasm_bindgen(inline_js = r#"
export function open_site(url) {
  return window.open(url, "_blank") ?? null;
}
// Waits for the site tab to say it is ready, asks it to let this origin write, and
// resolves to true (allowed) or false (denied); rejects if the tab is closed first.
export function handshake(win, siteOrigin, onMessage) {
  return new Promise((ok, fail) => {
    const ask = () => win.postMessage({ type: "ferroflow-connect" }, siteOrigin);
    const listener = (ev) => {
      if (ev.source !== win || ev.origin !== siteOrigin || typeof ev.data?.type !== "string") return;
      switch (ev.data.type) {
        case "ferroflow-site-ready": ask(); break;
        case "ferroflow-allowed": done(); ok(true); break;
        case "ferroflow-denied": done(); ok(false); break;
      }
    };
    const watch = setInterval(() => { if (win.closed) { done(); fail(new Error("closed")); } }, 300);
    const done = () => { clearInterval(watch); };
    addEventListener("message", listener);
    // After the handshake the same listener hears acknowledgements.
    addEventListener("message", (ev) => {
      if (ev.source === win && ev.origin === siteOrigin && ev.data?.type) onMessage(ev.data.type, ev.data.seq ?? 0);
    });
    ask();
  });
}
export function post_mirror(win, siteOrigin, seq, json, parts) {
  if (win.closed) return false;
  win.postMessage({ type: "ferroflow-mirror", seq, json, parts }, siteOrigin, parts.map((p) => p.buffer));
  return true;
}
"#)]
extern "C" {
    fn open_site(url: &str) -> JsValue;
    fn handshake(win: &JsValue, site_origin: &str, on_message: &js_sys::Function) -> Promise;
    fn post_mirror(win: &JsValue, site_origin: &str, seq: f64, json: &str, parts: &Array) -> bool;
}

/// The open bridge of this context.
struct Bridge {
    window: JsValue,
    origin: String,
    next_seq: u64,
    /// Sent and not yet acknowledged, by sequence number.
    unacked: BTreeMap<u64, (String, Vec<Vec<u8>>)>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Rc<RefCell<Bridge>>>> = const { RefCell::new(None) };
    static HOOKED: RefCell<bool> = const { RefCell::new(false) };
    /// Where mlflow.js was loaded from (set by mlflow.js): the default site.
    static SITE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Set by `mlflow.js` at load: the site it was loaded from.
#[wasm_bindgen(js_name = __ferroflowSetSite)]
pub fn set_site(url: String) {
    SITE.with(|s| *s.borrow_mut() = Some(url));
}

fn send(bridge: &Rc<RefCell<Bridge>>, m: &Mirror) {
    if m.is_empty() {
        return;
    }
    let (json, parts) = m.encode();
    let mut b = bridge.borrow_mut();
    let seq = b.next_seq;
    b.next_seq += 1;
    post(&b, seq, &json, &parts);
    b.unacked.insert(seq, (json, parts));
}

fn post(b: &Bridge, seq: u64, json: &str, parts: &[Vec<u8>]) {
    let arr = Array::new();
    for p in parts {
        arr.push(&Uint8Array::from(p.as_slice()));
    }
    post_mirror(&b.window, &b.origin, seq as f64, json, &arr);
}

/// `connect({site?, replay?}) → {site, origin}`: resolves once the site allowed this
/// origin (rejects with `PERMISSION_DENIED` on Deny). Call it from a user gesture (a
/// click): it opens the site in a new tab.
#[wasm_bindgen(js_name = connect, unchecked_return_type = "Promise<Connection>")]
pub fn connect(
    #[wasm_bindgen(unchecked_optional_param_type = "ConnectOptions")] options: Option<JsValue>,
) -> Promise {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    // Open at once, while the user's click still allows a new tab.
    let opened = (|| {
        let o = Opts::new(&options, "connect options")?;
        let site = o
            .string("site")?
            .or_else(|| SITE.with(|s| s.borrow().clone()))
            .ok_or_else(|| {
                errors::invalid_arg("connect needs {site: \"https://<you>.github.io/ferroflow/\"}")
            })?;
        let url = web_sys::Url::new(&site)
            .map_err(|_| errors::invalid_arg(format!("'{site}' is not a URL")))?;
        // A page of the site's own origin shares its IndexedDB: there is nothing to
        // mirror, so the site just opens.
        let same_origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .is_some_and(|own| own == url.origin());
        if !same_origin {
            url.set_hash("connect");
        }
        let win = open_site(&url.href());
        if win.is_null() {
            return Err(errors::js_error(
                ErrorCode::InvalidState,
                "The browser blocked the Ferroflow site's tab: call mlflow.connect() from a click handler (a button in the notebook).",
            ));
        }
        let replay = o.get("replay").as_bool().unwrap_or(true);
        Ok::<_, JsValue>((site, url.origin(), win, replay, same_origin))
    })();
    with_service(move |s| async move {
        let (site, origin, win, replay, same_origin) = opened?;
        if same_origin {
            return connection(site, origin);
        }
        let bridge = Rc::new(RefCell::new(Bridge {
            window: win.clone(),
            origin: origin.clone(),
            next_seq: 1,
            unacked: BTreeMap::new(),
        }));
        let heard = {
            let bridge = bridge.clone();
            Closure::<dyn Fn(String, f64)>::new(move |kind: String, seq: f64| match kind.as_str() {
                "ferroflow-ack" => {
                    bridge.borrow_mut().unacked.remove(&(seq as u64));
                }
                // The site tab reloaded: what it did not acknowledge goes again.
                "ferroflow-site-ready" => {
                    let b = bridge.borrow();
                    for (seq, (json, parts)) in &b.unacked {
                        post(&b, *seq, json, parts);
                    }
                }
                _ => {}
            })
        };
        let allowed = JsFuture::from(handshake(&win, &origin, heard.as_ref().unchecked_ref()))
            .await
            .map_err(|_| {
                errors::js_error(
                    ErrorCode::InvalidState,
                    "The Ferroflow site's tab was closed before it allowed this page to write to it.",
                )
            })?;
        heard.forget();
        if allowed.as_bool() != Some(true) {
            return Err(errors::js_error(
                ErrorCode::PermissionDenied,
                &format!("The Ferroflow site at {origin} did not allow this page to write to it."),
            ));
        }
        BRIDGE.with(|b| *b.borrow_mut() = Some(bridge.clone()));
        if !HOOKED.with(|h| h.replace(true)) {
            s.on_commit(Rc::new(|m: &Mirror| {
                if let Some(b) = BRIDGE.with(|b| b.borrow().clone()) {
                    send(&b, m);
                }
            }));
        }
        if replay {
            for m in svc()?.mirror_everything(REPLAY_BYTES).await? {
                send(&bridge, &m);
            }
        }
        connection(site, origin)
    })
}

/// What `connect` resolves to: `{site, origin}`.
fn connection(site: String, origin: String) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    js_sys::Reflect::set(&out, &"site".into(), &site.into())?;
    js_sys::Reflect::set(&out, &"origin".into(), &origin.into())?;
    Ok(out.into())
}
