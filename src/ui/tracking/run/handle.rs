//! What the run page's parts share: the run they show and the one way they change it.

use leptos::prelude::*;

use crate::core::tracking::model::Run;
use crate::core::tracking::{Result as TrackResult, Tracker};
use crate::service;
use crate::ui::Store;

/// One run as the page shows it. `Copy`, so every part of the page takes it as is.
#[derive(Clone, Copy)]
pub struct RunHandle {
    /// The run's id (fixed for the page's lifetime: another run is another page).
    pub id: StoredValue<String>,
    /// The run as the tracker has it now (`None` if there is no such run).
    pub run: Memo<Option<Run>>,
    /// Bumped after a change made here, so the page shows it before the store
    /// commits it (the commit follows within `service::FLUSH_DELAY_MS`).
    changed: RwSignal<u64>,
}

impl RunHandle {
    /// The handle of run `id`, following the store's revision.
    pub fn new(id: String) -> Self {
        let store = expect_context::<Store>();
        let changed = RwSignal::new(0u64);
        let id = StoredValue::new(id);
        let run = Memo::new(move |_| {
            store.revision.track();
            changed.track();
            let s = service::ready()?;
            id.with_value(|id| s.read(|t| t.run(id).ok().cloned()))
        });
        RunHandle { id, run, changed }
    }

    /// Changes the run through the tracker (`f` gets the tracker and the run id);
    /// the error is MLflow's message, for the user.
    pub fn write(
        &self,
        f: impl FnOnce(&mut Tracker, &str) -> TrackResult<()>,
    ) -> Result<(), String> {
        let s = service::ready().ok_or_else(|| "The store is not open yet.".to_owned())?;
        let id = self.id.get_value();
        s.write(|t| f(t, &id)).map_err(|e| e.to_string())?;
        self.changed.update(|n| *n += 1);
        Ok(())
    }
}
