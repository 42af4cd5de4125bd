//! Reading plain JS objects field by field. Hand-rolled rather than serde-based: the serde
//! path pulled in float formatting and visitor code worth ~15 KB gzipped, a third of the
//! size budget, for what amounts to a few `Reflect.get`s.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::js_error;

fn invalid(path: &str, expected: &str) -> JsValue {
    js_error("invalid_input", &format!("{path} must be {expected}"))
}

/// `value[key]`, requiring `value` to be an object.
pub(crate) fn field(value: &JsValue, path: &str, key: &str) -> Result<JsValue, JsValue> {
    if !value.is_object() {
        return Err(invalid(path, "an object"));
    }
    Reflect::get(value, &JsValue::from_str(key)).map_err(|_| invalid(path, "a readable object"))
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

pub(crate) fn string(value: &JsValue, path: &str, key: &str) -> Result<String, JsValue> {
    field(value, path, key)?
        .as_string()
        .ok_or_else(|| invalid(&format!("{path}.{key}"), "a string"))
}

pub(crate) fn opt_string(
    value: &JsValue,
    path: &str,
    key: &str,
) -> Result<Option<String>, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid(&format!("{path}.{key}"), "a string"))
}

/// A non-negative integer that a JS number represents exactly.
pub(crate) fn integer(value: &JsValue, path: &str, key: &str) -> Result<u64, JsValue> {
    let n = field(value, path, key)?
        .as_f64()
        .ok_or_else(|| invalid(&format!("{path}.{key}"), "a number"))?;
    exact_integer(n, &format!("{path}.{key}"))
}

/// `n` as a u64 if it is a non-negative integer that a JS number represents exactly.
pub(crate) fn exact_integer(n: f64, path: &str) -> Result<u64, JsValue> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
        Ok(n as u64)
    } else {
        Err(invalid(path, "a non-negative integer"))
    }
}

pub(crate) fn opt_bool(value: &JsValue, path: &str, key: &str) -> Result<bool, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        return Ok(false);
    }
    v.as_bool()
        .ok_or_else(|| invalid(&format!("{path}.{key}"), "a boolean"))
}

/// `[[name, value], ...]`; absent means none.
pub(crate) fn headers(value: &JsValue, path: &str) -> Result<Vec<(String, String)>, JsValue> {
    let v = field(value, path, "headers")?;
    if absent(&v) {
        return Ok(Vec::new());
    }
    let expected = "an array of [name, value] string pairs";
    let list = v
        .dyn_into::<Array>()
        .map_err(|_| invalid(&format!("{path}.headers"), expected))?;
    list.iter()
        .map(|pair| {
            let pair = pair
                .dyn_into::<Array>()
                .map_err(|_| invalid(&format!("{path}.headers"), expected))?;
            match (
                pair.length(),
                pair.get(0).as_string(),
                pair.get(1).as_string(),
            ) {
                (2, Some(n), Some(v)) => Ok((n, v)),
                _ => Err(invalid(&format!("{path}.headers"), expected)),
            }
        })
        .collect()
}

/// `value[key]` as `[[a, b], ...]` string pairs (tags); absent means none. The elements are
/// read as `headers` reads its own; kept apart so that the signing-only build is unchanged.
#[cfg(feature = "providers")]
pub(crate) fn pairs(
    value: &JsValue,
    path: &str,
    key: &str,
) -> Result<Vec<(String, String)>, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        return Ok(Vec::new());
    }
    let bad = || {
        invalid(
            &format!("{path}.{key}"),
            "an array of [key, value] string pairs",
        )
    };
    v.dyn_into::<Array>()
        .map_err(|_| bad())?
        .iter()
        .map(|pair| {
            let pair = pair.dyn_into::<Array>().map_err(|_| bad())?;
            match (
                pair.length(),
                pair.get(0).as_string(),
                pair.get(1).as_string(),
            ) {
                (2, Some(a), Some(b)) => Ok((a, b)),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// `value[key]` as an array of strings; absent means none.
#[cfg(feature = "providers")]
pub(crate) fn string_list(value: &JsValue, path: &str, key: &str) -> Result<Vec<String>, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        return Ok(Vec::new());
    }
    let expected = "an array of strings";
    v.dyn_into::<Array>()
        .map_err(|_| invalid(&format!("{path}.{key}"), expected))?
        .iter()
        .map(|s| {
            s.as_string()
                .ok_or_else(|| invalid(&format!("{path}.{key}"), expected))
        })
        .collect()
}

/// A non-negative integer, or `None` when absent.
/// An optional non-negative integer (absent or null: `None`).
#[cfg(feature = "providers")]
pub(crate) fn opt_integer(value: &JsValue, path: &str, key: &str) -> Result<Option<u64>, JsValue> {
    if absent(&field(value, path, key)?) {
        Ok(None)
    } else {
        integer(value, path, key).map(Some)
    }
}

/// An optional boolean kept as tri-state (absent or null: `None`).
#[cfg(feature = "providers")]
pub(crate) fn opt_flag(value: &JsValue, path: &str, key: &str) -> Result<Option<bool>, JsValue> {
    if absent(&field(value, path, key)?) {
        Ok(None)
    } else {
        opt_bool(value, path, key).map(Some)
    }
}

/// An optional array of strings (absent or null: empty).
#[cfg(feature = "providers")]
pub(crate) fn opt_strings(value: &JsValue, path: &str, key: &str) -> Result<Vec<String>, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        return Ok(Vec::new());
    }
    let expected = || invalid(&format!("{path}.{key}"), "an array of strings");
    v.dyn_into::<Array>()
        .map_err(|_| expected())?
        .iter()
        .map(|item| item.as_string().ok_or_else(expected))
        .collect()
}

/// An optional plain object (absent or null: `None`).
#[cfg(feature = "providers")]
pub(crate) fn opt_object(
    value: &JsValue,
    path: &str,
    key: &str,
) -> Result<Option<JsValue>, JsValue> {
    let v = field(value, path, key)?;
    if absent(&v) {
        Ok(None)
    } else if v.is_object() {
        Ok(Some(v))
    } else {
        Err(invalid(&format!("{path}.{key}"), "an object"))
    }
}
