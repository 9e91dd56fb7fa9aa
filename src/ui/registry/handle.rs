//! What a registered model's pages share: the model they show (read through to the
//! store when this tab has not heard of it yet), and the one way they change it.

use leptos::prelude::*;

use crate::core::registry::RegisteredModel;
use crate::core::tracking::{Needs, Result as TrackResult, Tracker};
use crate::service;
use crate::ui::Store;

/// One registered model as its pages show it. `Copy`, so every part takes it as is.
#[derive(Clone, Copy)]
pub struct ModelHandle {
    /// The name in the page's URL (fixed: a renamed model is another page).
    pub name: StoredValue<String>,
    /// The model as the tracker has it now (`None` if there is no such model).
    pub model: Memo<Option<RegisteredModel>>,
    /// Whether the store has been asked for a model this view lacked: until then a
    /// missing model is not reported as missing.
    pub checked: RwSignal<bool>,
    /// Bumped after a change made here, so the page shows it before it commits.
    changed: RwSignal<u64>,
}

impl ModelHandle {
    /// The handle of model `name`, following the store's revision.
    pub fn new(name: String) -> Self {
        let store = expect_context::<Store>();
        let changed = RwSignal::new(0u64);
        let checked = RwSignal::new(false);
        let name = StoredValue::new(name);
        let model = Memo::new(move |_| {
            store.revision.track();
            changed.track();
            let s = service::ready()?;
            name.with_value(|n| s.read(|t| t.registered_model(n).ok().cloned()))
        });
        // Another tab may have created it a moment ago: read it through once.
        leptos::task::spawn_local(async move {
            if let Some(s) = service::ready() {
                let mut needs = Needs::default();
                if let Some(n) = name.try_get_value() {
                    needs.registered_models.insert(n);
                    let _ = s.know(needs).await;
                }
            }
            let _ = changed.try_update(|n| *n += 1);
            let _ = checked.try_set(true);
        });
        ModelHandle {
            name,
            model,
            checked,
            changed,
        }
    }

    /// Changes the model through the tracker (`f` gets the tracker, the model's name
    /// and the time); the error is MLflow's message, for the user.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Tracker, &str, i64) -> TrackResult<T>,
    ) -> Result<T, String> {
        let s = service::ready().ok_or_else(|| "The store is not open yet.".to_owned())?;
        let name = self.name.get_value();
        let now = service::now_ms();
        let out = s.write(|t| f(t, &name, now)).map_err(|e| e.to_string())?;
        self.changed.update(|n| *n += 1);
        Ok(out)
    }
}
