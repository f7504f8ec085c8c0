//! Checks a request body against the method's request schema before it is
//! sent, so a misspelt field or a wrong type is named by its path
//! (`owners[0].emailAdress`) instead of coming back as a 400.

use gapi_codegen::ir::{Api, Type, TypeKind};
use serde_json::Value;

/// Whether `value` fits `ty`; the error names the JSON path (`$` is the
/// body itself).
///
/// # Errors
/// The first field that does not fit, with what was expected there.
pub fn check(value: &Value, ty: &Type, api: &Api) -> Result<(), String> {
    check_at(value, ty, api, &mut String::from("$"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn check_at(value: &Value, ty: &Type, api: &Api, path: &mut String) -> Result<(), String> {
    // `null` leaves a field unset, whatever its type.
    if value.is_null() {
        return Ok(());
    }
    let expected = |what: &str| Err(format!("{path}: expected {what}, found {}", kind(value)));
    match ty {
        Type::Any => Ok(()),
        Type::String
        | Type::Bytes
        | Type::DateTime
        | Type::Duration
        | Type::FieldMask
        | Type::LocalEnum(_) => {
            if value.is_string() {
                Ok(())
            } else {
                expected("a string")
            }
        }
        Type::Bool => {
            if value.is_boolean() {
                Ok(())
            } else {
                expected("true or false")
            }
        }
        Type::I32 | Type::U32 | Type::I64 { .. } | Type::U64 { .. } => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            Value::String(s) if s.parse::<i128>().is_ok() => Ok(()),
            _ => expected("an integer"),
        },
        Type::F32 | Type::F64 => match value {
            Value::Number(_) => Ok(()),
            Value::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => Ok(()),
            _ => expected("a number"),
        },
        Type::Boxed(inner) => check_at(value, inner, api, path),
        Type::Vec(inner) => {
            let Value::Array(items) = value else {
                return expected("an array");
            };
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_at(item, inner, api, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Type::Map(inner) => {
            let Value::Object(entries) = value else {
                return expected("an object");
            };
            for (key, item) in entries {
                let len = path.len();
                path.push_str(&format!("[{key:?}]"));
                check_at(item, inner, api, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Type::Named { id, name } => match &api.types[id.0].kind {
            TypeKind::Alias(inner) => check_at(value, inner, api, path),
            TypeKind::Enum(_) => {
                if value.is_string() {
                    Ok(())
                } else {
                    expected("a string")
                }
            }
            TypeKind::Struct(fields) => {
                let Value::Object(entries) = value else {
                    return expected(&format!("an object ({})", name.text));
                };
                for (key, item) in entries {
                    let Some(field) = fields.iter().find(|f| f.wire == *key) else {
                        let hint =
                            crate::names::closest(key, fields.iter().map(|f| f.wire.as_str()))
                                .map(|c| format!("; did you mean `{c}`?"))
                                .unwrap_or_default();
                        return Err(format!("{path}: {} has no field `{key}`{hint}", name.text));
                    };
                    let len = path.len();
                    path.push('.');
                    path.push_str(key);
                    check_at(item, &field.ty, api, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
        },
    }
}
