//! The write path: when flushes run, what one does, and how its outcome reaches the
//! writers waiting for it.

use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::sync::Announcement;
use super::{set_timeout, Service, ServiceError, FLUSH_DELAY_MS};
use crate::core::tracking::{Needs, Records, Stored, TrackingError};
use crate::store::{Batch, StoreError};

impl Service {
    /// Schedules a flush: at once (next task) when a writer waits for an outcome,
    /// within [`FLUSH_DELAY_MS`] for metric points.
    pub fn schedule_flush(self: &Rc<Self>) {
        // The logMetric hot path comes here on every point: two flag checks.
        let changes = self.tracker.borrow().has_pending_changes();
        let (flag, delay) = if changes {
            (&self.flush_soon, 0)
        } else {
            (&self.flush_late, FLUSH_DELAY_MS)
        };
        if flag.replace(true) {
            return;
        }
        let me = self.clone();
        let cb = Closure::once_into_js(move || {
            let flag = if delay == 0 {
                &me.flush_soon
            } else {
                &me.flush_late
            };
            flag.set(false);
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = me.flush().await {
                    web_sys::console::error_1(&format!("Ferroflow could not save: {e}").into());
                }
            });
        });
        set_timeout(cb.unchecked_ref(), delay);
    }

    /// Commits everything changed before this call: one read-modify-write transaction
    /// merges this context's changes and points into the records as stored. Resolves
    /// once stored; rejects with a storage failure (points and unwatched changes are
    /// kept for the next flush) or with the refusal of points whose run is not stored.
    pub async fn flush(self: &Rc<Self>) -> Result<(), ServiceError> {
        let _guard = self.write_lock.lock().await;
        let batch = self.tracker.borrow_mut().take_batch();
        if batch.is_empty() {
            self.tracker.borrow_mut().committed(Stored::default());
            return Ok(());
        }
        match self.db.flush(&batch).await {
            Ok((merged, stored)) => {
                self.tracker.borrow_mut().committed(stored);
                self.tell_commit_hooks(&Batch {
                    experiments: &merged.experiments,
                    runs: &merged.runs,
                    chunks: &merged.chunks,
                    logged_models: &merged.logged_models,
                    registered_models: &merged.registered_models,
                    remove_registered_models: &merged.removed_registered_models,
                    ..Batch::default()
                });
                let mut refused = Vec::new();
                for (ticket, outcome) in merged.outcomes {
                    let waiter = self.waiters.borrow_mut().remove(&ticket);
                    match (waiter, outcome) {
                        (Some(w), outcome) => {
                            let _ = w.send(outcome.map_err(ServiceError::from));
                        }
                        (None, Err(e)) => refused.push(e.message),
                        (None, Ok(_)) => {}
                    }
                }
                for r in &refused {
                    web_sys::console::warn_1(
                        &format!("Ferroflow: a change was refused: {r}").into(),
                    );
                }
                self.announce(Announcement {
                    experiments: (merged.experiments.iter())
                        .map(|e| e.experiment_id.clone())
                        .collect(),
                    runs: merged
                        .runs
                        .iter()
                        .map(|r| r.run.info.run_id.clone())
                        .collect(),
                    logged_models: (merged.logged_models.iter())
                        .map(|m| m.model_id.clone())
                        .collect(),
                    registered_models: (merged.registered_models.iter())
                        .map(|m| m.name.clone())
                        .chain(merged.removed_registered_models.iter().cloned())
                        .collect(),
                    ..Announcement::default()
                });
                self.notify();
                // More may have arrived while this flush ran.
                self.schedule_flush();
                if let Some(p) = merged.refused_points.first() {
                    let total: usize = merged.refused_points.iter().map(|p| p.count).sum();
                    return Err(TrackingError {
                        code: p.error.code,
                        message: format!(
                            "{total} metric points were not stored: {} ({} points of '{}')",
                            p.error.message, p.count, p.key
                        ),
                    }
                    .into());
                }
                Ok(())
            }
            Err(e) => {
                let needs = batch.needs();
                let told: BTreeSet<_> = {
                    let mut waiters = self.waiters.borrow_mut();
                    (batch.entries.iter())
                        .filter_map(|entry| {
                            let w = waiters.remove(&entry.ticket)?;
                            let _ = w.send(Err(ServiceError::Store(e.clone())));
                            Some(entry.ticket)
                        })
                        .collect()
                };
                self.tracker
                    .borrow_mut()
                    .failed(batch.series, |t| !told.contains(&t));
                // The view showed the refused changes: show what is stored instead.
                self.reload_view(&needs).await;
                Err(e.into())
            }
        }
    }

    /// Rebases the view onto the stored copies of `needs` (best effort: if storage
    /// cannot even be read, the view stays as it is).
    pub(super) async fn reload_view(&self, needs: &Needs) {
        let needs = Needs {
            all_experiments: false,
            runs_of_experiments: Default::default(),
            ..needs.clone()
        };
        if let Ok(records) = self.db.load(&needs).await {
            let absent = needs.absent_from(&records);
            self.tracker
                .borrow_mut()
                .refresh(Stored { records, absent });
        }
    }

    /// Writes whole records and files in one transaction after queued changes, then
    /// tells other contexts and this one's listeners.
    pub(super) async fn commit(self: &Rc<Self>, batch: &Batch<'_>) -> Result<(), StoreError> {
        self.db.write(batch).await?;
        self.tell_commit_hooks(batch);
        let experiments = batch.experiments.iter().map(|e| e.experiment_id.clone());
        let runs = (batch.runs.iter().map(|r| r.run.info.run_id.clone()))
            .chain(batch.artifacts.iter().map(|a| a.0.clone()));
        self.announce(Announcement {
            experiments: experiments.collect(),
            runs: runs.collect(),
            replaced: batch.replace_runs.iter().cloned().collect(),
            logged_models: batch
                .logged_models
                .iter()
                .map(|m| m.model_id.clone())
                .collect(),
            registered_models: batch
                .registered_models
                .iter()
                .map(|m| m.name.clone())
                .collect(),
        });
        self.notify();
        Ok(())
    }

    /// Writes artifacts and extra files right away (after queued changes).
    pub async fn write_files(
        self: &Rc<Self>,
        artifacts: &[(String, String, Vec<u8>)],
        extra_files: &[(String, Vec<u8>)],
    ) -> Result<(), ServiceError> {
        self.flush().await?;
        let _guard = self.write_lock.lock().await;
        let batch = Batch {
            artifacts,
            extra_files,
            ..Default::default()
        };
        Ok(self.commit(&batch).await?)
    }

    /// Stores imported records with their histories, artifacts and extra files in one
    /// transaction (all or nothing); the view takes them once they are committed.
    pub async fn import(self: &Rc<Self>, batch: Batch<'_>) -> Result<(), ServiceError> {
        self.flush().await?;
        let _guard = self.write_lock.lock().await;
        self.commit(&batch).await?;
        let mut records = Records::new(batch.experiments.to_vec(), batch.runs.to_vec());
        records.logged_models = (batch.logged_models.iter())
            .map(|m| (m.model_id.clone(), m.clone()))
            .collect();
        records.registered_models = (batch.registered_models.iter())
            .map(|m| (m.name.clone(), m.clone()))
            .collect();
        self.tracker.borrow_mut().replace_imported(records);
        Ok(())
    }

    pub(super) fn flush_on_page_hide(self: &Rc<Self>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let cb = Closure::<dyn Fn()>::new(move || {
            if let Some(me) = weak.upgrade() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = me.flush().await;
                });
            }
        });
        for ev in ["pagehide", "visibilitychange"] {
            let _ = window.add_event_listener_with_callback(ev, cb.as_ref().unchecked_ref());
        }
        cb.forget();
    }
}
