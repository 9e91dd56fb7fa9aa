//! The bridge's two ends in the service: a context that mirrors hears every commit as
//! a [`Mirror`] (and can replay everything it stores), and the site stores what it
//! receives as is, in one transaction, ids kept.

use std::rc::Rc;

use super::{Service, ServiceError};
use crate::core::interchange::mirror::Mirror;
use crate::core::tracking::metric_log::MetricChunk;
use crate::core::tracking::Records;
use crate::store::Batch;

/// Hears a commit of this context, as what another store would need to hold it.
pub type CommitHook = Rc<dyn Fn(&Mirror)>;

impl Service {
    /// Calls `f` after every commit of this context (not those of other contexts).
    pub fn on_commit(&self, f: CommitHook) {
        self.commit_hooks.borrow_mut().push(f);
    }

    /// Tells the commit hooks about `batch`, committed just now.
    pub(super) fn tell_commit_hooks(&self, batch: &Batch<'_>) {
        let hooks: Vec<CommitHook> = self.commit_hooks.borrow().clone();
        if hooks.is_empty() {
            return;
        }
        let m = Mirror {
            experiments: batch.experiments.to_vec(),
            runs: batch.runs.to_vec(),
            chunks: batch.chunks.to_vec(),
            files: batch.artifacts.to_vec(),
            logged_models: batch.logged_models.to_vec(),
            registered_models: batch.registered_models.to_vec(),
            removed_registered_models: batch.remove_registered_models.to_vec(),
        };
        for h in hooks {
            h(&m);
        }
    }

    /// Everything this context's store holds, as mirror messages of about
    /// `max_bytes` each (records first, then chunks and files).
    pub async fn mirror_everything(
        self: &Rc<Self>,
        max_bytes: usize,
    ) -> Result<Vec<Mirror>, ServiceError> {
        self.flush().await?;
        let all = self.db.load_everything().await?;
        let mut out = vec![Mirror {
            experiments: all.experiments.values().cloned().collect(),
            logged_models: all.logged_models.values().cloned().collect(),
            registered_models: all.registered_models.values().cloned().collect(),
            ..Mirror::default()
        }];
        let mut current = Mirror::default();
        let mut size = 0usize;
        let push = |m: &mut Mirror, size: &mut usize, out: &mut Vec<Mirror>| {
            if *size >= max_bytes {
                out.push(std::mem::take(m));
                *size = 0;
            }
        };
        let owners = (all.runs.keys().cloned()).chain(all.logged_models.keys().cloned());
        for owner in owners.collect::<Vec<_>>() {
            if let Some(run) = all.runs.get(&owner) {
                current.runs.push(run.clone());
                for key in run.metric_chunks.keys() {
                    let points = self.db.history_of(run, key).await?;
                    for (seq, part) in points
                        .chunks(crate::core::tracking::metric_log::CHUNK_POINTS)
                        .enumerate()
                    {
                        size += part.len() * 24;
                        current.chunks.push(MetricChunk {
                            run_id: owner.clone(),
                            key: key.clone(),
                            seq: seq as u32,
                            points: part.to_vec(),
                        });
                        push(&mut current, &mut size, &mut out);
                    }
                }
            }
            for (path, bytes) in self.db.artifacts_of(&owner).await? {
                size += bytes.len();
                current.files.push((owner.clone(), path, bytes));
                push(&mut current, &mut size, &mut out);
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        Ok(out)
    }

    /// Stores a mirrored message as is (records, chunks, files; the Default
    /// experiment only if this store has none), then shows it like an import.
    pub async fn apply_mirror(self: &Rc<Self>, mut m: Mirror) -> Result<(), ServiceError> {
        let has_default = self.read(|t| {
            t.experiment(crate::core::tracking::DEFAULT_EXPERIMENT_ID)
                .is_ok()
        });
        if has_default {
            m.experiments
                .retain(|e| e.experiment_id != crate::core::tracking::DEFAULT_EXPERIMENT_ID);
        }
        self.flush().await?;
        let _guard = self.write_lock.lock().await;
        let batch = Batch {
            experiments: &m.experiments,
            runs: &m.runs,
            chunks: &m.chunks,
            artifacts: &m.files,
            logged_models: &m.logged_models,
            registered_models: &m.registered_models,
            remove_registered_models: &m.removed_registered_models,
            ..Batch::default()
        };
        self.commit(&batch).await?;
        let mut records = Records::new(m.experiments.clone(), m.runs.clone());
        records.logged_models = (m.logged_models.iter())
            .map(|x| (x.model_id.clone(), x.clone()))
            .collect();
        records.registered_models = (m.registered_models.iter())
            .map(|x| (x.name.clone(), x.clone()))
            .collect();
        self.tracker.borrow_mut().replace_imported(records);
        Ok(())
    }
}
