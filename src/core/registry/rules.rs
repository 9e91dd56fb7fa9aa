//! MLflow's registry validation (`mlflow/utils/validation.py`), with MLflow's messages.

use crate::core::tracking::error::{invalid, not_found, Result, TrackingError};

/// Longest registry tag key.
pub const MAX_TAG_KEY_LEN: usize = 250;
/// Longest registry tag value.
pub const MAX_TAG_VALUE_LEN: usize = 100_000;
/// Longest alias.
pub const MAX_ALIAS_LEN: usize = 255;

/// A registered model name: not blank, no `/` or `:`, its own normalised path.
pub fn validate_model_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(invalid("Missing value for required parameter 'name'."));
    }
    if name.contains('/') || name.contains(':') {
        return Err(invalid(format!(
            "Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )));
    }
    if name == "." || name == ".." || name.contains('\\') || name.contains('\0') {
        return Err(invalid(format!(
            "Invalid value '{name}' for parameter 'name': it would not be a unique path."
        )));
    }
    Ok(())
}

/// An alias: `^[\w\-]*$` (Unicode `\w`), not empty, at most 255 characters, and not one
/// MLflow reserves (`latest` in any case, `v<digits>`).
pub fn validate_alias(alias: &str) -> Result<()> {
    if alias.is_empty() {
        return Err(invalid("Registered model alias name cannot be empty."));
    }
    if !alias
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(invalid(format!(
            "Invalid alias name: '{alias}'. Names may only contain alphanumerics, \
             underscores (_), and dashes (-)."
        )));
    }
    if alias.chars().count() > MAX_ALIAS_LEN {
        return Err(invalid(format!(
            "Registered model alias name '{}…' exceeds the maximum length of {MAX_ALIAS_LEN}.",
            alias.chars().take(40).collect::<String>()
        )));
    }
    if alias.eq_ignore_ascii_case("latest") {
        return Err(invalid(
            "'latest' alias name (case insensitive) is reserved.",
        ));
    }
    let mut chars = alias.chars();
    if matches!(chars.next(), Some('v' | 'V'))
        && alias.len() > 1
        && chars.all(|c| c.is_ascii_digit())
    {
        return Err(invalid(format!(
            "Version alias name '{alias}' is reserved."
        )));
    }
    Ok(())
}

/// A registry tag (registered model or version).
pub fn validate_tag(key: &str, value: &str) -> Result<()> {
    crate::core::tracking::rules::validate_key(crate::core::tracking::rules::KeyKind::Tag, key)?;
    let (k, v) = (key.chars().count(), value.chars().count());
    if k > MAX_TAG_KEY_LEN {
        return Err(invalid(format!(
            "Tag key of {k} characters exceeds the maximum length of {MAX_TAG_KEY_LEN}."
        )));
    }
    if v > MAX_TAG_VALUE_LEN {
        return Err(invalid(format!(
            "Tag '{key}' has a value of {v} characters, over the maximum of {MAX_TAG_VALUE_LEN}."
        )));
    }
    Ok(())
}

/// A version number given as text (`"3"`), as MLflow's `_validate_model_version`.
pub fn parse_version(version: &str) -> Result<u64> {
    version.trim().parse::<u64>().map_err(|_| {
        invalid(format!(
            "Parameter 'version' must be an integer, got '{version}'."
        ))
    })
}

/// `Registered Model with name=… not found`.
pub fn model_not_found(name: &str) -> TrackingError {
    not_found(format!("Registered Model with name={name} not found"))
}

/// `Model Version (name=…, version=…) not found`.
pub fn version_not_found(name: &str, version: u64) -> TrackingError {
    not_found(format!(
        "Model Version (name={name}, version={version}) not found"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_follow_mlflow() {
        for ok in ["champion", "ü-ok_1", "v1a", "V", "prod-2"] {
            assert!(validate_alias(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "cannot be empty"),
            ("a b", "Invalid alias name"),
            ("dot.name", "Invalid alias name"),
            ("latest", "reserved"),
            ("LaTeSt", "reserved"),
            ("v1", "Version alias name 'v1' is reserved"),
            ("V77", "reserved"),
        ] {
            let e = validate_alias(bad).unwrap_err();
            assert!(e.message.contains(why), "{bad}: {e}");
        }
        assert!(validate_alias(&"a".repeat(256)).is_err());
    }

    #[test]
    fn model_names_and_versions() {
        assert!(validate_model_name("mnist").is_ok());
        assert!(validate_model_name("a/b")
            .unwrap_err()
            .message
            .contains("cannot contain '/'"));
        assert!(validate_model_name("a:b").is_err());
        assert!(validate_model_name("  ").is_err());
        assert_eq!(parse_version("7").unwrap(), 7);
        assert!(parse_version("seven")
            .unwrap_err()
            .message
            .contains("must be an integer"));
    }
}
