//! Reading the arguments JS callers pass: option objects, string maps, numbers.

use std::collections::BTreeMap;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors::invalid_arg;

/// An option object; `undefined`/`null` reads as empty.
pub struct Opts(Option<Object>);

impl Opts {
    /// Wraps `v`, refusing anything but an object, `undefined` or `null`.
    pub fn new(v: &JsValue, what: &str) -> Result<Opts, JsValue> {
        if v.is_undefined() || v.is_null() {
            return Ok(Opts(None));
        }
        match v.dyn_ref::<Object>() {
            Some(o) if !v.is_function() && !js_sys::Array::is_array(v) => Ok(Opts(Some(o.clone()))),
            _ => Err(invalid_arg(format!(
                "{what} must be an options object, got {}",
                describe(v)
            ))),
        }
    }

    /// A raw field (`undefined` when absent).
    pub fn get(&self, key: &str) -> JsValue {
        match &self.0 {
            Some(o) => Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED),
            None => JsValue::UNDEFINED,
        }
    }

    /// An optional string field.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        opt_string(&self.get(key), key)
    }

    /// An optional number field.
    pub fn number(&self, key: &str) -> Result<Option<f64>, JsValue> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_f64()
            .map(Some)
            .ok_or_else(|| invalid_arg(format!("'{key}' must be a number, got {}", describe(&v))))
    }

    /// An optional boolean field.
    pub fn bool(&self, key: &str) -> Result<bool, JsValue> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(false);
        }
        v.as_bool().ok_or_else(|| {
            invalid_arg(format!(
                "'{key}' must be true or false, got {}",
                describe(&v)
            ))
        })
    }

    /// An optional `{key: value}` field with values turned into strings.
    pub fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, JsValue> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(BTreeMap::new());
        }
        string_map(&v, key)
    }

    /// An optional array of strings.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, JsValue> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(Vec::new());
        }
        if let Some(s) = v.as_string() {
            return Ok(vec![s]);
        }
        if !js_sys::Array::is_array(&v) {
            return Err(invalid_arg(format!(
                "'{key}' must be an array of strings, got {}",
                describe(&v)
            )));
        }
        js_sys::Array::from(&v)
            .iter()
            .map(|x| value_to_string(&x, key))
            .collect()
    }
}

/// `undefined`/`null` → `None`; strings and numbers → `Some(text)`.
pub fn opt_string(v: &JsValue, what: &str) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    value_to_string(v, what).map(Some)
}

/// A param/tag value: MLflow stores `str(value)`, so numbers and booleans are allowed.
pub fn value_to_string(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if let Some(n) = v.as_f64() {
        return Ok(js_number_string(n));
    }
    if let Some(b) = v.as_bool() {
        return Ok(if b { "True" } else { "False" }.to_owned());
    }
    Err(invalid_arg(format!(
        "'{what}' must be a string or a number, got {}",
        describe(v)
    )))
}

/// A required string argument.
pub fn required_string(v: &JsValue, what: &str) -> Result<String, JsValue> {
    opt_string(v, what)?.ok_or_else(|| invalid_arg(format!("'{what}' is required")))
}

/// How JS prints a number (`String(n)`).
pub fn js_number_string(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_else(|_| n.to_string())
}

/// `{k: v}` → sorted pairs with stringified values.
pub fn string_map(v: &JsValue, what: &str) -> Result<BTreeMap<String, String>, JsValue> {
    let obj = v
        .dyn_ref::<Object>()
        .filter(|_| !js_sys::Array::is_array(v))
        .ok_or_else(|| {
            invalid_arg(format!(
                "'{what}' must be an object of key: value pairs, got {}",
                describe(v)
            ))
        })?;
    let mut out = BTreeMap::new();
    for entry in Object::entries(obj).iter() {
        let pair = js_sys::Array::from(&entry);
        let k = pair.get(0).as_string().unwrap_or_default();
        let val = value_to_string(&pair.get(1), &k)?;
        out.insert(k, val);
    }
    Ok(out)
}

/// A short description of a JS value for error messages.
pub fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        "undefined".into()
    } else if v.is_null() {
        "null".into()
    } else if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        format!("the string {short:?}")
    } else if let Some(b) = v.as_bool() {
        format!("the boolean {b}")
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "a value".into())
    }
}
