//! The Model Registry's entities, shaped like MLflow's (`RegisteredModel`,
//! `ModelVersion`). A registered model's record holds its versions, tags and aliases,
//! so one record changes (and merges) as a whole.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A model version's stage (deprecated in MLflow in favour of aliases, still stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Stage {
    /// No stage (`None`).
    #[default]
    None,
    /// `Staging`.
    Staging,
    /// `Production`.
    Production,
    /// `Archived`.
    Archived,
    /// A deleted version (`Deleted_Internal`): hidden, its number never reused.
    DeletedInternal,
}

impl Stage {
    /// The stages a user may transition to.
    pub const ALL: [Stage; 4] = [
        Stage::None,
        Stage::Staging,
        Stage::Production,
        Stage::Archived,
    ];

    /// MLflow's spelling (`Production`, `Deleted_Internal`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::None => "None",
            Stage::Staging => "Staging",
            Stage::Production => "Production",
            Stage::Archived => "Archived",
            Stage::DeletedInternal => "Deleted_Internal",
        }
    }

    /// Parses a stage as stored (exact) or as a user types it (any case).
    pub fn parse(s: &str) -> Option<Stage> {
        if s == "Deleted_Internal" {
            return Some(Stage::DeletedInternal);
        }
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
    }
}

/// A model version's registration status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VersionStatus {
    /// `PENDING_REGISTRATION`.
    PendingRegistration,
    /// `FAILED_REGISTRATION`.
    FailedRegistration,
    /// `READY`.
    #[default]
    Ready,
}

impl VersionStatus {
    /// MLflow's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionStatus::PendingRegistration => "PENDING_REGISTRATION",
            VersionStatus::FailedRegistration => "FAILED_REGISTRATION",
            VersionStatus::Ready => "READY",
        }
    }

    /// Parses MLflow's spelling.
    pub fn parse(s: &str) -> Option<VersionStatus> {
        [
            VersionStatus::PendingRegistration,
            VersionStatus::FailedRegistration,
            VersionStatus::Ready,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One version of a registered model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    /// The registered model's name.
    pub name: String,
    /// 1, 2, … (never reused, even after a delete).
    pub version: u64,
    /// Creation time (ms).
    pub creation_timestamp: i64,
    /// Last change (ms).
    pub last_updated_timestamp: Option<i64>,
    /// Markdown description.
    pub description: Option<String>,
    /// Who registered it.
    pub user_id: Option<String>,
    /// Stage (`DeletedInternal` once deleted).
    pub current_stage: Stage,
    /// Where it came from as given (`models:/m-…`, `runs:/<run>/model`, a path).
    pub source: Option<String>,
    /// The run that made it.
    pub run_id: Option<String>,
    /// A link to that run.
    pub run_link: Option<String>,
    /// Registration status.
    pub status: VersionStatus,
    /// Why registration failed.
    pub status_message: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// The LoggedModel it is (MLflow 3).
    pub model_id: Option<String>,
    /// The resolved source (not shown by MLflow's API; kept for export).
    pub storage_location: Option<String>,
}

impl ModelVersion {
    /// Whether the version was deleted (hidden everywhere).
    pub fn is_deleted(&self) -> bool {
        self.current_stage == Stage::DeletedInternal
    }
}

/// A registered model with its versions, tags and aliases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredModel {
    /// Unique name (no `/` or `:`).
    pub name: String,
    /// Creation time (ms).
    pub creation_timestamp: Option<i64>,
    /// Last change (ms).
    pub last_updated_timestamp: Option<i64>,
    /// Markdown description.
    pub description: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Alias → version number (one alias names one version).
    pub aliases: BTreeMap<String, u64>,
    /// Every version by number, deleted ones included (numbers are never reused).
    pub versions: BTreeMap<u64, ModelVersion>,
}

impl RegisteredModel {
    /// A model with nothing in it yet.
    pub fn new(name: &str, time: i64) -> Self {
        RegisteredModel {
            name: name.to_owned(),
            creation_timestamp: Some(time),
            last_updated_timestamp: Some(time),
            description: None,
            tags: BTreeMap::new(),
            aliases: BTreeMap::new(),
            versions: BTreeMap::new(),
        }
    }

    /// Versions not deleted, by number.
    pub fn live_versions(&self) -> impl DoubleEndedIterator<Item = &ModelVersion> {
        self.versions.values().filter(|v| !v.is_deleted())
    }

    /// The number the next version gets: one past every version ever made.
    pub fn next_version(&self) -> u64 {
        self.versions.keys().next_back().map_or(1, |v| v + 1)
    }

    /// MLflow's `latest_versions`: the highest live version of each stage, by stage.
    pub fn latest_versions(&self) -> Vec<&ModelVersion> {
        let mut out: Vec<&ModelVersion> = Vec::new();
        for v in self.live_versions().rev() {
            if !out.iter().any(|o| o.current_stage == v.current_stage) {
                out.push(v);
            }
        }
        out.sort_by_key(|v| v.version);
        out
    }

    /// The aliases naming `version`, sorted.
    pub fn aliases_of(&self, version: u64) -> Vec<String> {
        (self.aliases.iter())
            .filter(|(_, v)| **v == version)
            .map(|(a, _)| a.clone())
            .collect()
    }
}
