//! Moving whole stores in and out: an imported `Snapshot` becomes one IndexedDB
//! transaction; an export gathers a `Snapshot` back from the store.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::{sqlite_module, Service, ServiceError};
use crate::core::interchange::mlflow_db::{self, open_parts, open_upload, DbUpload, Opened};
use crate::core::interchange::mlruns::{self, export_zip, ArchiveLimits};
use crate::core::interchange::{LoggedModelRecord, RunRecord, Selection, Snapshot, Summary};
use crate::core::tracking::metric_log::append_series;
use crate::core::tracking::{Needs, StoredRun};
use crate::store::{Batch, StoreError};

/// Key suffix marking an empty directory kept among the extra files.
const DIR_MARK: char = '/';

/// What an import brought in.
pub struct Imported {
    /// Counts.
    pub summary: Summary,
    /// What was skipped, as MLflow would skip it.
    pub warnings: Vec<String>,
    /// The imported experiments' ids, in archive order.
    pub experiment_ids: Vec<String>,
    /// The warning a person must see at once (a database imported without its
    /// artifact folder).
    pub notice: Option<String>,
}

/// A phase of an import or export (`read`, `parse`, `store`, `gather`, `write`,
/// `done`) and how far along the whole job is (0–1).
pub type Progress<'a> = &'a dyn Fn(&str, f64);

/// Yields to the event loop so a progress bar can paint between phases (windows
/// only; a worker has nothing to paint).
async fn yield_now() {
    let Some(w) = web_sys::window() else { return };
    let p = js_sys::Promise::new(&mut |ok, _| {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&ok, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

impl Service {
    /// Imports an archive's bytes (an `mlruns` or `mlflow.db` store, or a bare `.db`)
    /// all-or-nothing.
    pub async fn import_archive(
        self: &Rc<Self>,
        bytes: &[u8],
        progress: Progress<'_>,
    ) -> Result<Imported, ServiceError> {
        progress("parse", 0.2);
        yield_now().await;
        let opened = open_upload(bytes, &ArchiveLimits::default())?;
        self.import_opened(opened, progress).await
    }

    /// Imports what a person picked or dropped, `(path, bytes)` each: one archive or
    /// `.db`, or `mlflow.db` with its artifact folder (as files, or a zip), or the files
    /// of a dropped `mlruns/` folder; all-or-nothing.
    pub async fn import_files(
        self: &Rc<Self>,
        parts: Vec<(String, Vec<u8>)>,
        progress: Progress<'_>,
    ) -> Result<Imported, ServiceError> {
        progress("parse", 0.2);
        yield_now().await;
        let opened = open_parts(parts, &ArchiveLimits::default())?;
        self.import_opened(opened, progress).await
    }

    /// Reads an opened upload into a snapshot (loading the SQLite reader for a
    /// database) and stores it.
    async fn import_opened(
        self: &Rc<Self>,
        opened: Opened,
        progress: Progress<'_>,
    ) -> Result<Imported, ServiceError> {
        let (snap, bare) = match opened {
            Opened::Mlruns(tree) => (mlruns::import_tree(tree)?, false),
            Opened::Db(upload) => {
                let bare = !upload.with_files;
                (self.read_db(upload).await?, bare)
            }
        };
        let notice = if bare {
            snap.warnings.first().cloned()
        } else {
            None
        };
        let warnings = snap.warnings.clone();
        let experiment_ids = snap
            .experiments
            .iter()
            .map(|e| e.experiment_id.clone())
            .collect();
        progress("store", 0.6);
        yield_now().await;
        let summary = self.import_snapshot(snap).await.map_err(|e| match e {
            ServiceError::Store(e) => ServiceError::Store(StoreError {
                message: format!("Import failed, nothing was changed: {e}"),
                ..e
            }),
            e => e,
        })?;
        progress("done", 1.0);
        Ok(Imported {
            summary,
            warnings,
            experiment_ids,
            notice,
        })
    }

    /// An `mlflow.db` store as a snapshot: its tables read by the reader module.
    async fn read_db(&self, upload: DbUpload) -> Result<Snapshot, ServiceError> {
        let answer = sqlite_module::read(&upload.db, upload.wal.as_deref(), &mlflow_db::TABLES)
            .await
            .map_err(ServiceError::Reader)?;
        Ok(mlflow_db::snapshot_from_answer(upload, &answer)?)
    }

    /// A zip of the selection (everything when both lists are empty) that MLflow reads.
    pub async fn export_archive(
        self: &Rc<Self>,
        experiment_ids: &[String],
        run_ids: &[String],
        progress: Progress<'_>,
    ) -> Result<Vec<u8>, ServiceError> {
        progress("gather", 0.0);
        let snap = self.export_snapshot(experiment_ids, run_ids).await?;
        progress("write", 0.5);
        yield_now().await;
        let selection = if experiment_ids.is_empty() && run_ids.is_empty() {
            Selection::All
        } else {
            Selection::Some {
                experiment_ids: experiment_ids.iter().cloned().collect(),
                run_ids: run_ids.iter().cloned().collect(),
            }
        };
        let zip = export_zip(&snap, &selection);
        progress("done", 1.0);
        Ok(zip)
    }

    /// Stores an imported snapshot, merging by id: an imported experiment or run
    /// replaces the one with the same id (its old metric chunks and artifacts go, in
    /// the same transaction).
    pub async fn import_snapshot(self: &Rc<Self>, snap: Snapshot) -> Result<Summary, ServiceError> {
        let summary = snap.summary();
        let mut runs = Vec::with_capacity(snap.runs.len());
        let (mut chunks, mut replaced, mut artifacts) = (Vec::new(), Vec::new(), Vec::new());
        for rec in snap.runs {
            let id = rec.run.info.run_id.clone();
            // Whatever is stored under this id (here or by another tab) is replaced.
            replaced.push(id.clone());
            let mut stored = StoredRun::new(rec.run);
            // Latest values as the importer read them (MLflow's choice), not recomputed.
            let latest = stored.run.metrics.clone();
            for (key, points) in rec.history {
                chunks.extend(append_series(&mut stored, &key, None, &points));
            }
            stored.run.metrics = latest;
            artifacts.extend(rec.artifacts.into_iter().map(|(p, b)| (id.clone(), p, b)));
            runs.push(stored);
        }
        let mut logged_models = Vec::with_capacity(snap.logged_models.len());
        for rec in snap.logged_models {
            let id = rec.model.model_id.clone();
            replaced.push(id.clone());
            artifacts.extend(rec.artifacts.into_iter().map(|(p, b)| (id.clone(), p, b)));
            logged_models.push(rec.model);
        }
        let mut extra: Vec<(String, Vec<u8>)> = snap.extra_files.into_iter().collect();
        extra.extend(
            snap.extra_dirs
                .into_iter()
                .map(|d| (format!("{d}{DIR_MARK}"), Vec::new())),
        );
        self.import(Batch {
            experiments: &snap.experiments,
            runs: &runs,
            chunks: &chunks,
            artifacts: &artifacts,
            extra_files: &extra,
            logged_models: &logged_models,
            registered_models: &snap.registered_models,
            replace_runs: &replaced,
            ..Batch::default()
        })
        .await?;
        Ok(summary)
    }

    /// Gathers the runs of `experiment_ids` plus `run_ids` (everything when both are
    /// empty) with their full histories and artifacts, and every experiment and
    /// extra file (the exporter keeps what the selection needs).
    pub async fn export_snapshot(
        self: &Rc<Self>,
        experiment_ids: &[String],
        run_ids: &[String],
    ) -> Result<Snapshot, ServiceError> {
        self.flush().await?;
        let all = experiment_ids.is_empty() && run_ids.is_empty();
        for id in experiment_ids {
            self.know_experiment(id).await?;
            self.read(|t| t.experiment(id).map(drop))?;
        }
        for id in run_ids {
            self.know_run(id).await?;
            self.read(|t| t.run(id).map(drop))?;
        }
        // The records as stored (other contexts' latest changes included).
        let everything = self.db.load_everything().await?;
        let mut logged_models = Vec::with_capacity(everything.logged_models.len());
        for model in everything.logged_models.into_values() {
            let artifacts = self
                .db
                .artifacts_of(&model.model_id)
                .await?
                .into_iter()
                .collect();
            logged_models.push(LoggedModelRecord { model, artifacts });
        }
        let registered_models = everything.registered_models.into_values().collect();
        let (experiments, mut stored) = if all {
            let runs: Vec<StoredRun> = everything.runs.into_values().collect();
            (everything.experiments.into_values().collect(), runs)
        } else {
            let needs = Needs {
                all_experiments: true,
                runs: run_ids.iter().cloned().collect(),
                runs_of_experiments: experiment_ids.iter().cloned().collect(),
                ..Needs::default()
            };
            let stored = self.db.load(&needs).await?;
            let runs = stored.runs.into_values();
            (stored.experiments.into_values().collect(), runs.collect())
        };
        stored.sort_by(|a, b| a.run.info.run_id.cmp(&b.run.info.run_id));
        let mut runs = Vec::with_capacity(stored.len());
        for s in stored {
            let id = s.run.info.run_id.clone();
            let mut history = BTreeMap::new();
            for key in s.metric_keys() {
                history.insert(key.clone(), self.db.history_of(&s, key).await?);
            }
            let artifacts = self.db.artifacts_of(&id).await?.into_iter().collect();
            runs.push(RunRecord {
                run: s.run,
                history,
                artifacts,
            });
        }
        let (mut extra_files, mut extra_dirs) = (BTreeMap::new(), BTreeSet::new());
        for (path, bytes) in self.db.extra_files().await? {
            match path.strip_suffix(DIR_MARK) {
                Some(dir) => {
                    extra_dirs.insert(dir.to_owned());
                }
                None => {
                    extra_files.insert(path, bytes);
                }
            }
        }
        Ok(Snapshot {
            experiments,
            runs,
            logged_models,
            registered_models,
            extra_files,
            extra_dirs,
            ..Snapshot::default()
        })
    }
}
