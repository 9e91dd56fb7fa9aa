//! How experiment and run records are written as text for storage: JSON, with floats
//! written in their shortest round-trip form and read back correctly rounded
//! (serde_json's `float_roundtrip`), so every value comes back bit for bit; NaN and
//! ±Infinity are spelled as MLflow's REST API spells them (`float_serde`).

use serde::{de::DeserializeOwned, Serialize};

/// A record as stored text.
pub fn encode_record<T: Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("tracking records serialize")
}

/// A record from stored text; `what` names it in the error.
pub fn decode_record<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("a stored {what} record is unreadable: {e}"))
}
