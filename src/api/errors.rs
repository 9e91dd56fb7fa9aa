//! Failures become JS `Error`s with a message a person can act on and MLflow's
//! error code in `error.code`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::core::tracking::TrackingError;
use crate::service::ServiceError;

/// An `Error` with `code` set.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

/// A bad argument.
pub fn invalid_arg(message: impl AsRef<str>) -> JsValue {
    js_error("INVALID_PARAMETER_VALUE", message.as_ref())
}

/// A refused tracking operation.
pub fn tracking(e: TrackingError) -> JsValue {
    js_error(e.code.as_str(), &e.message)
}

/// Any service failure.
pub fn service(e: ServiceError) -> JsValue {
    match e {
        ServiceError::Tracking(t) => tracking(t),
        ServiceError::Store(s) => js_error("INTERNAL_ERROR", &s.to_string()),
    }
}

/// A storage or start-up failure given as text.
pub fn internal(message: impl AsRef<str>) -> JsValue {
    js_error("INTERNAL_ERROR", message.as_ref())
}
