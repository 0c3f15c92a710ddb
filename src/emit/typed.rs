//! IR values that reach templates as themselves.
//!
//! [`Hcl`], [`GithubExpr`] and [`ExprOrText`] are handed to a template as
//! opaque objects holding the Rust value, which the filters render
//! directly. Serialised the ordinary way they would become trees of
//! template maps and lists that each filter walked back key by key:
//! making, walking and dropping those trees took about a fifth of
//! rendering. Serialised anywhere else (the JSON of `ecspipe debug`), they
//! keep the shape their derive gives them.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{serializing_for_value, Object, Value};
use serde::{Serialize, Serializer};

use crate::lower::{ExprOrText, GithubExpr, Hcl};

/// An IR value inside a template value.
#[derive(Debug)]
struct Typed<T>(T);

impl<T: Truth + fmt::Debug + Send + Sync + 'static> Object for Typed<T> {
    fn is_true(self: &Arc<Self>) -> bool {
        self.0.is_true()
    }
}

/// Whether a template's `{% if %}` takes the value as true: as it would
/// the list or map the value serialises to elsewhere, so only an empty
/// list is false.
pub(super) trait Truth {
    fn is_true(&self) -> bool;
}

impl Truth for Hcl {
    fn is_true(&self) -> bool {
        !matches!(self, Hcl::List(items) if items.is_empty())
    }
}

impl Truth for GithubExpr {
    fn is_true(&self) -> bool {
        !self.parts().is_empty()
    }
}

impl Truth for ExprOrText {
    fn is_true(&self) -> bool {
        true
    }
}

/// The IR value of type `T` that `value` holds, if it holds one.
pub(super) fn typed<T: Truth + fmt::Debug + Send + Sync + 'static>(value: &Value) -> Option<&T> {
    value.downcast_object_ref::<Typed<T>>().map(|typed| &typed.0)
}

/// `Serialize` for an IR type whose derive wrote its JSON shape as the
/// inherent `T::serialize` (`#[serde(remote = "Self")]`); `$plain` tells
/// the values that stay plain for templates too.
macro_rules! serialize_typed {
    ($type:ty, $plain:expr) => {
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializing_for_value() && !$plain(self) {
                    Value::from_object(Typed(self.clone())).serialize(serializer)
                } else {
                    <$type>::serialize(self, serializer)
                }
            }
        }
    };
}

// A literal stays a string, number or boolean: templates read and test those.
serialize_typed!(Hcl, |hcl: &Hcl| matches!(hcl, Hcl::Str(_) | Hcl::Num(_) | Hcl::Bool(_)));
serialize_typed!(GithubExpr, |_: &GithubExpr| false);
serialize_typed!(ExprOrText, |_: &ExprOrText| false);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::HclRef;

    #[test]
    fn templates_get_the_value_and_json_gets_its_shape() {
        let hcl = Hcl::List(vec![Hcl::str("a"), Hcl::reference(HclRef::fixed("var.region"))]);
        let value = Value::from_serialize(&hcl);
        assert_eq!(typed::<Hcl>(&value), Some(&hcl));
        assert_eq!(typed::<GithubExpr>(&value), None);
        assert_eq!(
            serde_json::to_string(&hcl).expect("JSON"),
            r#"["a",{"reference":{"root":"var.region","key":null}}]"#
        );
        let expression = ExprOrText::Expression(GithubExpr::context("secrets", "ROLE"));
        assert_eq!(
            serde_json::to_string(&expression).expect("JSON"),
            r#"{"expression":[{"code":"secrets"},{"property":"ROLE"}]}"#
        );
    }

    #[test]
    fn a_typed_value_is_true_where_its_serialised_shape_was() {
        let truth = |value: Value| {
            minijinja::Environment::new()
                .render_str("{% if v %}true{% else %}false{% endif %}", minijinja::context! { v => value })
                .expect("renders")
        };
        let reference = Hcl::reference(HclRef::fixed("var.region"));
        assert_eq!(truth(Value::from_serialize(Hcl::List(Vec::new()))), "false");
        assert_eq!(truth(Value::from_serialize(Hcl::List(vec![reference.clone()]))), "true");
        assert_eq!(truth(Value::from_serialize(&reference)), "true");
        assert_eq!(truth(Value::from_serialize(Hcl::object(Vec::new()))), "true");
        assert_eq!(truth(Value::from_serialize(GithubExpr::code("github.ref"))), "true");
        assert_eq!(truth(Value::from_serialize(ExprOrText::Text(String::new()))), "true");
        // A literal stays plain: an empty string is false, as it always was.
        assert_eq!(truth(Value::from_serialize(Hcl::str(""))), "false");
    }
}
