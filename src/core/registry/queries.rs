//! `searchRegisteredModels`, `searchModelVersions` and `searchLoggedModels` over the
//! view: MLflow's filter grammar, order-by and defaults. The API and the UI both call
//! these.

use crate::core::models::LoggedModel;
use crate::core::registry::model::{ModelVersion, RegisteredModel};
use crate::core::search::{parse_order, sort, Filter, Searchable};
use crate::core::tracking::model::LifecycleStage;
use crate::core::tracking::queries::QueryError;
use crate::core::tracking::Tracker;

/// Filters, orders and limits `items`.
fn search<'a, E: Searchable, S: AsRef<str>>(
    items: impl Iterator<Item = &'a E>,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a E>, QueryError> {
    let filter = Filter::<E>::parse(filter)?;
    let order = parse_order::<E>(order_by)?;
    let mut out: Vec<&E> = items.filter(|e| filter.matches(e)).collect();
    sort(&mut out, &order);
    if let Some(max) = max_results {
        out.truncate(max);
    }
    Ok(out)
}

/// Registered models matching `filter` (`name LIKE '%mnist%'`, `tags.task = 'cls'`),
/// by `order_by` then name.
pub fn search_registered_models<'a, S: AsRef<str>>(
    t: &'a Tracker,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a RegisteredModel>, QueryError> {
    search(t.registered_models(), filter, order_by, max_results)
}

/// Versions (not deleted) matching `filter` (`name = 'mnist'`, `run_id = '…'`,
/// `version_number > 2`), by `order_by` else newest change first.
pub fn search_model_versions<'a, S: AsRef<str>>(
    t: &'a Tracker,
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a ModelVersion>, QueryError> {
    let live = t.registered_models().flat_map(|m| m.live_versions());
    search(live, filter, order_by, max_results)
}

/// Active logged models of `experiment_ids` (all when empty) matching `filter`, by
/// `order_by` else newest first. Unknown experiments are refused.
pub fn search_logged_models<'a, S: AsRef<str>>(
    t: &'a Tracker,
    experiment_ids: &[String],
    filter: &str,
    order_by: &[S],
    max_results: Option<usize>,
) -> Result<Vec<&'a LoggedModel>, QueryError> {
    Filter::<LoggedModel>::parse(filter)?;
    for id in experiment_ids {
        t.experiment(id)?;
    }
    let models = t.logged_models().filter(|m| {
        m.lifecycle_stage == LifecycleStage::Active
            && (experiment_ids.is_empty() || experiment_ids.contains(&m.experiment_id))
    });
    search(models, filter, order_by, max_results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tracking::NewVersion;

    #[test]
    fn registry_searches_use_mlflows_grammar_and_defaults() {
        let mut t = Tracker::load(vec![], vec![], 1, 10);
        for (i, name) in ["mnist-cnn", "bert", "mnist-mlp"].iter().enumerate() {
            let v = NewVersion {
                name: (*name).into(),
                source: "s".into(),
                run_id: Some(format!("run{i}")),
                create_model: true,
                ..Default::default()
            };
            t.create_model_version(v.clone(), 10 + i as i64).unwrap();
            t.create_model_version(v, 20 + i as i64).unwrap();
        }
        t.set_registered_model_tag("bert", "task", "nlp").unwrap();
        let names = |r: Vec<&RegisteredModel>| r.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
        let none: [&str; 0] = [];
        assert_eq!(
            names(search_registered_models(&t, "name LIKE 'mnist%'", &none, None).unwrap()),
            ["mnist-cnn", "mnist-mlp"]
        );
        assert_eq!(
            names(search_registered_models(&t, "tags.task = 'nlp'", &none, None).unwrap()),
            ["bert"]
        );
        assert_eq!(
            names(search_registered_models(&t, "", &["name DESC"], Some(2)).unwrap()),
            ["mnist-mlp", "mnist-cnn"]
        );
        let e = search_registered_models(&t, "metrics.x > 1", &none, None).unwrap_err();
        assert!(e.to_string().contains("no 'metrics.' columns"), "{e}");
        let v = search_model_versions(&t, "run_id = 'run1' AND version_number > 1", &none, None)
            .unwrap();
        assert_eq!((v.len(), v[0].name.as_str(), v[0].version), (1, "bert", 2));
        let all = search_model_versions(&t, "", &none, None).unwrap();
        assert_eq!(
            (all[0].name.as_str(), all[0].version),
            ("mnist-mlp", 2),
            "newest change first"
        );
    }
}
