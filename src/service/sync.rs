//! Keeping contexts in step: after each commit the changed ids are announced on a
//! `BroadcastChannel` (tabs, workers and iframes of the origin hear it) and every
//! other context rebases its view onto the stored records. A record another context
//! stored a moment ago may arrive before its announcement: a miss by id reads through
//! to the store.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{set_timeout, Service, ServiceError, NOTIFY_INTERVAL_MS};
use crate::core::tracking::{Needs, Stored};

const CHANNEL: &str = "ferroflow-changes";

/// One announcement: ids committed since the last one.
#[derive(Default, Serialize, Deserialize)]
pub(super) struct Announcement {
    pub(super) experiments: BTreeSet<String>,
    pub(super) runs: BTreeSet<String>,
    /// Runs an import replaced whole (views take them as they are).
    #[serde(default)]
    pub(super) replaced: BTreeSet<String>,
    #[serde(default)]
    pub(super) logged_models: BTreeSet<String>,
    /// Registered models written or removed (by name).
    #[serde(default)]
    pub(super) registered_models: BTreeSet<String>,
}

impl Announcement {
    fn is_empty(&self) -> bool {
        self.experiments.is_empty()
            && self.runs.is_empty()
            && self.replaced.is_empty()
            && self.logged_models.is_empty()
            && self.registered_models.is_empty()
    }

    fn extend(&mut self, other: Announcement) {
        self.experiments.extend(other.experiments);
        self.runs.extend(other.runs);
        self.replaced.extend(other.replaced);
        self.logged_models.extend(other.logged_models);
        self.registered_models.extend(other.registered_models);
    }
}

/// The channel and what waits to be announced on it.
pub(super) struct TabSync {
    channel: Option<web_sys::BroadcastChannel>,
    outbox: Rc<RefCell<Announcement>>,
}

impl TabSync {
    pub(super) fn new() -> Self {
        TabSync {
            channel: web_sys::BroadcastChannel::new(CHANNEL).ok(),
            outbox: Rc::default(),
        }
    }
}

impl Service {
    /// Queues committed ids for other contexts; one message per
    /// [`NOTIFY_INTERVAL_MS`] carries them all.
    pub(super) fn announce(&self, ids: Announcement) {
        let Some(ch) = &self.sync.channel else { return };
        let first = {
            let mut out = self.sync.outbox.borrow_mut();
            let first = out.is_empty();
            out.extend(ids);
            first && !out.is_empty()
        };
        if !first {
            return;
        }
        let (ch, outbox) = (ch.clone(), self.sync.outbox.clone());
        let cb = Closure::once_into_js(move || {
            let msg = std::mem::take(&mut *outbox.borrow_mut());
            let text = serde_json::to_string(&msg).expect("ids serialize");
            let _ = ch.post_message(&JsValue::from_str(&text));
        });
        set_timeout(cb.unchecked_ref(), NOTIFY_INTERVAL_MS);
    }

    pub(super) fn listen_to_other_contexts(self: &Rc<Self>) {
        let Some(ch) = &self.sync.channel else { return };
        let weak = Rc::downgrade(self);
        let cb = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(me) = weak.upgrade() else { return };
            // Anything else on the channel is not ours to apply.
            let Some(msg) = ev
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<Announcement>(&text).ok())
            else {
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                me.take_announced(msg).await;
            });
        });
        ch.set_onmessage(Some(cb.as_ref().unchecked_ref()));
        cb.forget();
    }

    async fn take_announced(&self, msg: Announcement) {
        let needs = Needs {
            experiments: msg.experiments,
            runs: msg.runs.union(&msg.replaced).cloned().collect(),
            logged_models: msg.logged_models,
            registered_models: msg.registered_models,
            ..Needs::default()
        };
        let Ok(mut records) = self.db.load(&needs).await else {
            return;
        };
        let absent = needs.absent_from(&records);
        let replaced: Vec<_> = (msg.replaced.iter())
            .filter_map(|id| records.runs.remove(id))
            .collect();
        {
            let mut t = self.tracker.borrow_mut();
            t.refresh(Stored { records, absent });
            if !replaced.is_empty() {
                t.replace_imported(crate::core::tracking::Records::new(Vec::new(), replaced));
            }
        }
        self.notify();
    }

    /// Makes sure the view knows `run_id` (and its experiment): a run another context
    /// created a moment ago may be stored before its announcement arrives.
    pub async fn know_run(&self, run_id: &str) -> Result<(), ServiceError> {
        if self.read(|t| t.run(run_id).is_ok()) {
            return Ok(());
        }
        let mut needs = Needs::default();
        needs.runs.insert(run_id.to_owned());
        let mut records = self.db.load(&needs).await?;
        if let Some(exp_id) = records
            .runs
            .get(run_id)
            .map(|r| r.run.info.experiment_id.clone())
        {
            if self.read(|t| t.experiment(&exp_id).is_err()) {
                let mut more = Needs::default();
                more.experiments.insert(exp_id);
                records
                    .experiments
                    .append(&mut self.db.load(&more).await?.experiments);
            }
        }
        let absent = needs.absent_from(&records);
        self.tracker
            .borrow_mut()
            .refresh(Stored { records, absent });
        Ok(())
    }

    /// Reads every stored experiment into the view (a lookup by name another context
    /// may have created).
    pub async fn know_experiments(&self) -> Result<(), ServiceError> {
        let needs = Needs {
            all_experiments: true,
            ..Needs::default()
        };
        let records = self.db.load(&needs).await?;
        self.tracker.borrow_mut().refresh(Stored {
            records,
            absent: Needs::default(),
        });
        Ok(())
    }

    /// Reads records the view lacks through to the store (a logged model or registered
    /// model another context made a moment ago).
    pub async fn know(&self, needs: Needs) -> Result<(), ServiceError> {
        let missing = self.read(|t| Needs {
            logged_models: (needs.logged_models.iter())
                .filter(|id| t.logged_model(id).is_err())
                .cloned()
                .collect(),
            registered_models: (needs.registered_models.iter())
                .filter(|n| t.registered_model(n).is_err())
                .cloned()
                .collect(),
            ..Needs::default()
        });
        if missing.is_empty() {
            return Ok(());
        }
        let records = self.db.load(&missing).await?;
        let absent = missing.absent_from(&records);
        self.tracker
            .borrow_mut()
            .refresh(Stored { records, absent });
        Ok(())
    }

    /// Like [`Service::know_run`] for an experiment.
    pub async fn know_experiment(&self, experiment_id: &str) -> Result<(), ServiceError> {
        if self.read(|t| t.experiment(experiment_id).is_ok()) {
            return Ok(());
        }
        let mut needs = Needs::default();
        needs.experiments.insert(experiment_id.to_owned());
        let records = self.db.load(&needs).await?;
        let absent = needs.absent_from(&records);
        self.tracker
            .borrow_mut()
            .refresh(Stored { records, absent });
        Ok(())
    }
}
