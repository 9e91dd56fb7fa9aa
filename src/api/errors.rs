//! Failures become JS `Error`s with a message a person can act on and MLflow's
//! error code in `error.code`. Each family's error converts here, at the boundary
//! (`?` does it); nothing on the way turns an error into text and back.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::core::error::ErrorCode;
use crate::core::interchange::mlruns::ImportError;
use crate::core::tracking::queries::QueryError;
use crate::core::tracking::TrackingError;
use crate::service::ServiceError;
use crate::store::StoreError;

/// An `Error` with `code` set.
pub fn js_error(code: ErrorCode, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &"code".into(), &code.as_str().into());
    e.into()
}

/// A bad argument.
pub fn invalid_arg(message: impl AsRef<str>) -> JsValue {
    js_error(ErrorCode::InvalidParameterValue, message.as_ref())
}

/// Something missing.
pub fn not_found(message: impl AsRef<str>) -> JsValue {
    js_error(ErrorCode::ResourceDoesNotExist, message.as_ref())
}

impl From<TrackingError> for JsValue {
    fn from(e: TrackingError) -> Self {
        js_error(e.code, &e.message)
    }
}

impl From<StoreError> for JsValue {
    fn from(e: StoreError) -> Self {
        js_error(e.code(), &e.message)
    }
}

impl From<ImportError> for JsValue {
    fn from(e: ImportError) -> Self {
        ServiceError::Import(e).into()
    }
}

impl From<ServiceError> for JsValue {
    fn from(e: ServiceError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

impl From<QueryError> for JsValue {
    fn from(e: QueryError) -> Self {
        js_error(e.code(), &e.to_string())
    }
}

impl From<crate::core::tracking::rules::InvalidValue> for JsValue {
    fn from(e: crate::core::tracking::rules::InvalidValue) -> Self {
        invalid_arg(e.0)
    }
}
