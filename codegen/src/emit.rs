//! Stage 3: turn planned types into Rust tokens with `quote`.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

use crate::names;
use crate::plan::{Body, Checks, Field, StructDef, Ty, TypeDef, Variant};
use crate::schema::Constraints;

pub mod connector;

pub use connector::{connector, registry, schema};

/// Tokens for a list of planned types and their `Validate` impls.
pub fn types(types: &[TypeDef]) -> TokenStream {
    types_in(types, &[])
}

/// Tokens for `defs`, which may use the types of `context` (emitted elsewhere).
pub fn types_in(defs: &[TypeDef], context: &[TypeDef]) -> TokenStream {
    let all: Vec<TypeDef> = context.iter().chain(defs).cloned().collect();
    let types = all.as_slice();
    let needs = needs_validation(types);
    let items = defs.iter().map(|def| {
        let item = type_def(def, types, &needs);
        let validate = (!matches!(def.body, Body::StringEnum(_) | Body::IntegerEnum(_)))
            .then(|| validate_impl(def, &needs));
        quote! { #item #validate }
    });
    quote! { #(#items)* }
}

/// `#[doc = ".."]` attributes, one per line. Text from schemas must never become code: every
/// line is made inert ([`crate::doc`]), and a line holding line breaks becomes several.
pub fn doc(lines: &[String]) -> TokenStream {
    let attrs = lines
        .iter()
        .flat_map(|line| {
            if line.is_empty() {
                vec![String::new()]
            } else {
                crate::doc::paragraphs(line)
            }
        })
        .map(|line| {
            let text = if line.is_empty() {
                line
            } else {
                format!(" {line}")
            };
            quote! { #[doc = #text] }
        });
    quote! { #(#attrs)* }
}

/// A string literal for JSON text embedded in generated code: raw (`r#"{"a":1}"#`), so that a
/// reader sees the JSON as it is, with one `#` more than the longest run of `#`s after a `"`
/// in the text (schema text is hostile: it may hold `"#`, `"##`...). Text a raw string cannot
/// hold (a carriage return, or a run of 255 `#`s) gets an ordinary escaped literal.
///
/// ```
/// let literal = tray_codegen::emit::json_text(r##"{"a":"#x"}"##);
/// assert_eq!(literal.to_string(), r###"r##"{"a":"#x"}"##"###);
/// ```
pub fn json_text(text: &str) -> Literal {
    let longest = text
        .split('"')
        .skip(1)
        .map(|after| after.bytes().take_while(|&b| b == b'#').count())
        .max()
        .unwrap_or(0);
    // Rust takes at most 255 `#`s around a raw string, and refuses a literal holding a
    // character that changes the text's direction: an ordinary literal escapes both.
    if longest >= 255
        || text.contains('\r')
        || text.chars().any(tray_schema::printable::is_bidi_control)
    {
        return Literal::string(text);
    }
    let hashes = "#".repeat(longest + 1);
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

fn ident(name: &str) -> syn::Ident {
    format_ident!("{}", name)
}

/// The tokens of a field type.
pub fn ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Bool => quote!(bool),
        Ty::Integer => quote!(i64),
        Ty::Number => quote!(f64),
        Ty::Null => quote!(()),
        Ty::String => quote!(String),
        Ty::Secret => quote!(tray_auth::Secret),
        Ty::Value => quote!(serde_json::Value),
        Ty::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
        Ty::Vec(item) => {
            let item = self::ty(item);
            quote!(Vec<#item>)
        }
        Ty::Map(value) => {
            let value = self::ty(value);
            quote!(std::collections::BTreeMap<String, #value>)
        }
        Ty::Option(inner) => {
            let inner = self::ty(inner);
            quote!(Option<#inner>)
        }
        Ty::Box(inner) => {
            let inner = self::ty(inner);
            quote!(Box<#inner>)
        }
    }
}

fn type_def(def: &TypeDef, types: &[TypeDef], needs: &BTreeSet<String>) -> TokenStream {
    let docs = doc(&def.doc);
    let name = ident(&def.name);
    match &def.body {
        Body::Struct(s) => struct_def(def, s, types),
        Body::StringEnum(variants) => {
            let arms = variants.iter().map(|v| {
                let (docs, variant) = (doc(&v.doc), ident(&v.ident));
                quote! { #docs #variant }
            });
            let listed: Vec<(syn::Ident, &str)> = variants
                .iter()
                .map(|v| (ident(&v.ident), v.value.as_str()))
                .collect();
            let impls = string_enum_impls(&name, &listed);
            quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                pub enum #name { #(#arms,)* }

                #impls
            }
        }
        Body::IntegerEnum(variants) => integer_enum(&name, &docs, variants),
        Body::Tagged {
            tag,
            variants,
            payloads,
            boxed,
        } => {
            let arms = variants
                .iter()
                .zip(payloads)
                .zip(boxed)
                .map(|((v, payload), boxed)| {
                    let (docs, variant, value, payload) =
                        (doc(&v.doc), ident(&v.ident), &v.value, ident(payload));
                    let payload = if *boxed {
                        quote!(Box<#payload>)
                    } else {
                        quote!(#payload)
                    };
                    quote! { #docs #[serde(rename = #value)] #variant(#payload) }
                });
            let values = variants.iter().map(|v| &v.value);
            let count = variants.len();
            // The last variant takes the last arm's wildcard: `tagged` gives an index below
            // the count.
            let reads = variants.iter().enumerate().map(|(i, v)| {
                let variant = ident(&v.ident);
                let index = if i + 1 == count {
                    quote!(_)
                } else {
                    Literal::usize_unsuffixed(i).into_token_stream()
                };
                quote! { (#index, payload) => tray_auth::json::FromJson::from_json(payload).map(Self::#variant) }
            });
            let read = from_json(
                &name,
                quote! {
                    match tray_auth::json::tagged(value, #tag, &[#(#values),*])? {
                        #(#reads,)*
                    }
                },
            );
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, serde::Serialize)]
                #[serde(tag = #tag)]
                pub enum #name { #(#arms,)* }
                #read
            }
        }
        Body::Untagged(variants) => {
            let arms = variants.iter().map(|v| {
                let (docs, variant, payload) = (doc(&v.doc), ident(&v.ident), ty(&v.value));
                quote! { #docs #variant(#payload) }
            });
            let redacted = variants.iter().any(|v| hides(v.secret, &v.value));
            let derive_debug = (!redacted).then(|| quote!(Debug,));
            let debug = redacted.then(|| untagged_debug(&name, variants));
            // Where variants have rules, the first variant that reads is not enough: the value
            // must be read as the first variant whose rules it keeps.
            let read = untagged_from_json(&name, variants, needs.contains(&def.name));
            quote! {
                #docs
                #[derive(#derive_debug Clone, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                pub enum #name { #(#arms,)* }
                #debug
                #read
            }
        }
    }
}

/// An enum of integers, read as JSON Schema reads integers and written as its values.
fn integer_enum(name: &syn::Ident, docs: &TokenStream, variants: &[Variant<i64>]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let (docs, variant) = (doc(&v.doc), ident(&v.ident));
        quote! { #docs #variant }
    });
    let into = variants.iter().map(|v| {
        let (variant, value) = (ident(&v.ident), Literal::i64_unsuffixed(v.value));
        quote! { #name::#variant => #value }
    });
    let from = variants.iter().map(|v| {
        let (variant, value) = (ident(&v.ident), Literal::i64_unsuffixed(v.value));
        quote! { #value => Ok(#name::#variant) }
    });
    let listed = variants
        .iter()
        .map(|v| v.value.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!("{{other}} is not one of {listed}");
    // JSON Schema reads `2.0` as the integer 2: `i64`'s `FromJson` does.
    let read = from_json(
        name,
        quote! {
            let value: i64 = tray_auth::json::FromJson::from_json(value)?;
            Self::try_from(value).map_err(tray_auth::json::Error::new)
        },
    );
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(into = "i64")]
        pub enum #name { #(#arms,)* }

        #read

        impl From<#name> for i64 {
            fn from(value: #name) -> Self {
                match value { #(#into,)* }
            }
        }

        impl TryFrom<i64> for #name {
            type Error = String;
            fn try_from(value: i64) -> Result<Self, Self::Error> {
                match value {
                    #(#from,)*
                    other => Err(format!(#message)),
                }
            }
        }
    }
}

/// What every generated enum of strings has beside its definition (`variants` are its variants
/// and their JSON values, in declaration order): `VALUES`, `as_str()`, and `FromStr` and
/// `TryFrom<&str>` failing with `tray_auth::UnknownVariant`, which names the accepted values.
/// The enum must be fieldless with no explicit discriminants, so that a variant's discriminant
/// is its place in `VALUES`.
pub fn string_enum_impls(name: &syn::Ident, variants: &[(syn::Ident, &str)]) -> TokenStream {
    let values = variants.iter().map(|(_, value)| value);
    let arms = variants
        .iter()
        .map(|(variant, value)| quote! { #value => Ok(Self::#variant) });
    let type_name = name.to_string();
    let read = from_json(name, quote!(tray_auth::json::string_enum(value)));
    quote! {
        impl #name {
            /// Every value, as the schema spells it, in the order of the variants.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as the schema spells it.
            pub const fn as_str(self) -> &'static str {
                // The variants are declared in the order of `VALUES`.
                Self::VALUES[self as usize]
            }
        }

        impl std::str::FromStr for #name {
            type Err = tray_auth::UnknownVariant;

            // Not `Self::Err`: a variant may be called `Err` (or `Error`).
            fn from_str(text: &str) -> Result<Self, tray_auth::UnknownVariant> {
                match text {
                    #(#arms,)*
                    _ => Err(tray_auth::UnknownVariant::new(#type_name, Self::VALUES, text)),
                }
            }
        }

        impl TryFrom<&str> for #name {
            type Error = tray_auth::UnknownVariant;

            fn try_from(text: &str) -> Result<Self, tray_auth::UnknownVariant> {
                text.parse()
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #read
    }
}

/// `tray_auth::json::FromJson` for type `name`, reading `value: serde_json::Value` with `body`,
/// and its `serde::Deserialize` through it: the one place generated code reads JSON (serde's
/// derive compiled to several times the code, for every type of every connector).
/// `#[inline]`: a debug build then compiles the reader only into crates that read the type,
/// as it compiled the derive's generic one, instead of into the connectors crate for every
/// type of every connector (BENCHMARKS.md, "Compile cost").
fn from_json(name: &syn::Ident, body: TokenStream) -> TokenStream {
    quote! {
        impl tray_auth::json::FromJson for #name {
            #[inline]
            fn from_json(value: serde_json::Value) -> Result<Self, tray_auth::json::Error> {
                #body
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                tray_auth::json::deserialize(deserializer)
            }
        }
    }
}

fn struct_def(def: &TypeDef, s: &StructDef, types: &[TypeDef]) -> TokenStream {
    let docs = doc(&def.doc);
    let name = ident(&def.name);
    let mut field_names = names::Scope::default();
    for field in &s.fields {
        field_names.take(&field.ident);
    }
    let extra_ident = s.extra.as_ref().map(|_| ident(&field_names.take("extra")));
    let fields = s.fields.iter().map(|field| {
        let (docs, field_ident, field_ty) = (doc(&field.doc), ident(&field.ident), ty(&field.ty));
        quote! { #docs pub #field_ident: #field_ty }
    });
    let extra = s.extra.as_ref().map(|value| {
        let value = ty(value);
        let mut lines = vec![
            "Keys beside the named ones, written after them (none may name a property).".to_owned(),
        ];
        if !s.extra_doc.is_empty() {
            lines.push(String::new());
            lines.extend(s.extra_doc.iter().cloned());
        }
        let each_value = Checks {
            values: Some(Box::new(s.extra_checks.clone())),
            ..Checks::default()
        };
        if let Some(line) = crate::plan::docs::checks_line(&each_value) {
            lines.extend([String::new(), line]);
        }
        let docs = doc(&lines);
        quote! {
            #docs
            pub #extra_ident: std::collections::BTreeMap<String, #value>,
        }
    });
    let write = struct_serialize(&name, s, extra_ident.as_ref());
    let json_names: Vec<&str> = s.fields.iter().map(|f| f.json_name.as_str()).collect();
    let deny = s.deny_unknown;
    let reads = s.fields.iter().map(|field| {
        let (field_ident, json) = (ident(&field.ident), &field.json_name);
        if field.default.is_some() {
            let fn_name = ident(&default_fn(field));
            quote!(#field_ident: object.field_or(#json, Self::#fn_name)?)
        } else {
            quote!(#field_ident: object.field(#json)?)
        }
    });
    let rest = extra_ident.as_ref().map(|e| quote!(#e: object.rest()?,));
    // An empty struct takes its object whole: nothing is read from it.
    let binding = if s.fields.is_empty() && s.extra.is_none() {
        quote!(_)
    } else {
        quote!(mut object)
    };
    let read = from_json(
        &name,
        quote! {
            let #binding = tray_auth::json::Object::new(value, &[#(#json_names),*], #deny)?;
            Ok(Self { #(#reads,)* #rest })
        },
    );
    let redacted = s.fields.iter().any(|f| hides(f.secret, &f.ty))
        || s.extra.as_ref().is_some_and(|t| hides(s.extra_secret, t));
    let derive_debug = (!redacted).then(|| quote!(Debug,));
    let debug = redacted.then(|| struct_debug(&def.name, s, extra_ident.as_ref()));
    let with_defaults: Vec<&Field> = s.fields.iter().filter(|f| f.default.is_some()).collect();
    let derive_default = (def.defaultable() && with_defaults.is_empty()).then(|| quote!(Default,));
    let default_fns = with_defaults.iter().map(|field| {
        let fn_name = ident(&default_fn(field));
        let field_ty = ty(&field.ty);
        let value = default_expr(
            field.default.as_ref().expect("filtered on default"),
            &field.ty,
            types,
        );
        let docs = doc(&[format!("The schema's default for `{}`.", field.json_name)]);
        quote! {
            #docs
            pub fn #fn_name() -> #field_ty { #value }
        }
    });
    let defaults_impl =
        (!with_defaults.is_empty()).then(|| quote! { impl #name { #(#default_fns)* } });
    let manual_default = (def.defaultable() && !with_defaults.is_empty()).then(|| {
        let inits = s.fields.iter().map(|field| {
            let field_ident = ident(&field.ident);
            if field.default.is_some() {
                let fn_name = ident(&default_fn(field));
                quote!(#field_ident: Self::#fn_name())
            } else {
                quote!(#field_ident: None)
            }
        });
        let extra_init = extra_ident
            .as_ref()
            .map(|e| quote!(#e: std::collections::BTreeMap::new(),));
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    #name { #(#inits,)* #extra_init }
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(#derive_debug Clone, #derive_default PartialEq)]
        pub struct #name {
            #(#fields,)*
            #extra
        }
        #write
        #read
        #debug
        #defaults_impl
        #manual_default
    }
}

/// `Serialize` for a struct: its properties as a list for `tray_auth::json::serialize_object`
/// (an optional property without a default is left out when `None`), then its `extra` keys.
fn struct_serialize(name: &syn::Ident, s: &StructDef, extra: Option<&syn::Ident>) -> TokenStream {
    let properties = s.fields.iter().map(|field| {
        let (field_ident, json) = (ident(&field.ident), &field.json_name);
        if field.default.is_none() && !field.required && matches!(field.ty, Ty::Option(_)) {
            quote!(tray_auth::json::Property::optional(#json, &self.#field_ident))
        } else {
            quote!(tray_auth::json::Property::new(#json, &self.#field_ident))
        }
    });
    let call = match extra {
        Some(extra) => quote! {
            tray_auth::json::serialize_object_with_extra(serializer, &[#(#properties),*], &self.#extra)
        },
        None => quote!(tray_auth::json::serialize_object(serializer, &[#(#properties),*])),
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #call
            }
        }
    }
}

/// Whether `Debug` must hide a value of `ty` that is `secret` itself: a [`Ty::Secret`] hides
/// itself (and so do lists, maps and options of it); any other type would print the value.
fn hides(secret: bool, ty: &Ty) -> bool {
    fn hidden_anyway(ty: &Ty) -> bool {
        match ty {
            Ty::Secret => true,
            Ty::Option(inner) | Ty::Vec(inner) | Ty::Map(inner) | Ty::Box(inner) => {
                hidden_anyway(inner)
            }
            _ => false,
        }
    }
    secret && !hidden_anyway(ty)
}

/// What `Debug` shows of the value at `place`, of type `ty`: the value, or `[redacted]` when
/// it is hidden (an absent optional one shows as `None`).
fn debug_value(place: &Place, secret: bool, ty: &Ty) -> TokenStream {
    match ty {
        _ if !hides(secret, ty) => place.by_ref(),
        Ty::Option(_) => {
            let receiver = place.receiver();
            quote!(&#receiver.as_ref().map(|_| tray_auth::Redacted))
        }
        _ => quote!(&tray_auth::Redacted),
    }
}

/// `Debug` for a struct with secret fields that are no `Secret`: like the derived one, with
/// `[redacted]` for those.
fn struct_debug(name: &str, s: &StructDef, extra: Option<&syn::Ident>) -> TokenStream {
    let type_ident = ident(name);
    let fields = s.fields.iter().map(|field| {
        let place = Place::Field(ident(&field.ident));
        let value = debug_value(&place, field.secret, &field.ty);
        let label = &field.ident;
        quote!(.field(#label, #value))
    });
    let extra = s.extra.as_ref().zip(extra).map(|(ty, extra_ident)| {
        let value = debug_value(&Place::Field(extra_ident.clone()), s.extra_secret, ty);
        let label = extra_ident.to_string();
        quote!(.field(#label, #value))
    });
    quote! {
        impl std::fmt::Debug for #type_ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name) #(#fields)* #extra .finish()
            }
        }
    }
}

/// How an untagged enum reads a value: as its first variant that reads it (JSON Schema's
/// `anyOf`); where variants have rules (`checked`), as the first variant that reads it and
/// whose `validate()` accepts it, else as the first that reads it (so that `validate()` says
/// what is wrong), as JSON Schema's `anyOf` and `oneOf` mean.
fn untagged_from_json(name: &syn::Ident, variants: &[Variant<Ty>], checked: bool) -> TokenStream {
    let type_name = name.to_string();
    let count = Literal::usize_unsuffixed(variants.len());
    let body = if checked {
        let readers = variants.iter().map(|v| {
            let (variant, payload) = (ident(&v.ident), ty(&v.value));
            quote! {
                |value| <#payload as tray_auth::json::FromJson>::from_json(value.clone()).ok().map(Self::#variant)
            }
        });
        quote! {
            let readers: [fn(&serde_json::Value) -> Option<Self>; #count] = [#(#readers),*];
            tray_auth::validate::first_valid(&value, &readers)
                .ok_or_else(|| tray_auth::json::no_variant(&value, #type_name))
        }
    } else {
        let readers = variants.iter().map(|v| {
            let variant = ident(&v.ident);
            quote! { |value| tray_auth::json::FromJson::from_json(value).map(Self::#variant) }
        });
        quote! {
            let readers: [tray_auth::json::Reader<Self>; #count] = [#(#readers),*];
            tray_auth::json::first_of(value, #type_name, &readers)
        }
    };
    from_json(name, body)
}

/// `Debug` for an untagged enum with secret variants that are no `Secret`.
fn untagged_debug(name: &syn::Ident, variants: &[Variant<Ty>]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let (variant, label) = (ident(&v.ident), &v.ident);
        let place = Place::Binding(ident("value"));
        let value = debug_value(&place, v.secret, &v.value);
        // A payload hidden whole is not looked at.
        let binding = if hides(v.secret, &v.value) && !matches!(v.value, Ty::Option(_)) {
            quote!(_)
        } else {
            quote!(value)
        };
        quote!(#name::#variant(#binding) => f.debug_tuple(#label).field(#value).finish())
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self { #(#arms,)* }
            }
        }
    }
}

fn default_fn(field: &Field) -> String {
    format!("default_{}", field.ident.trim_end_matches('_'))
}

/// A Rust expression for a JSON default of a planned type (checked to fit by the planner).
fn default_expr(value: &Value, ty: &Ty, types: &[TypeDef]) -> TokenStream {
    match (ty, value) {
        (Ty::Bool, Value::Bool(b)) => quote!(#b),
        (Ty::Integer, v) => {
            let n = Literal::i64_unsuffixed(v.as_i64().unwrap_or_default());
            quote!(#n)
        }
        (Ty::Number, v) => {
            let n = Literal::f64_unsuffixed(v.as_f64().unwrap_or_default());
            quote!(#n)
        }
        (Ty::String, Value::String(s)) => quote!(#s.to_owned()),
        (Ty::Secret, Value::String(s)) => quote!(tray_auth::Secret::from(#s)),
        (Ty::Vec(_), Value::Array(items)) if items.is_empty() => quote!(Vec::new()),
        (Ty::Vec(item), Value::Array(items)) => {
            let items = items.iter().map(|v| default_expr(v, item, types));
            quote!(vec![#(#items),*])
        }
        (Ty::Named(name), v) => {
            let def = types.iter().find(|t| &t.name == name);
            let variant = match def.map(|d| &d.body) {
                Some(Body::StringEnum(vs)) => vs
                    .iter()
                    .find(|x| v.as_str() == Some(x.value.as_str()))
                    .map(|x| &x.ident),
                Some(Body::IntegerEnum(vs)) => vs
                    .iter()
                    .find(|x| v.as_i64() == Some(x.value))
                    .map(|x| &x.ident),
                _ => None,
            };
            let (name, variant) = (
                ident(name),
                ident(variant.map_or("Unknown", String::as_str)),
            );
            quote!(#name::#variant)
        }
        (_, v) => {
            let json = json_tokens(v);
            quote!(serde_json::json!(#json))
        }
    }
}

/// A JSON value as the tokens `serde_json::json!` takes.
fn json_tokens(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(null),
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => {
            let lit = if let Some(i) = n.as_i64() {
                Literal::i64_unsuffixed(i)
            } else if let Some(u) = n.as_u64() {
                Literal::u64_unsuffixed(u)
            } else {
                Literal::f64_unsuffixed(n.as_f64().unwrap_or_default())
            };
            quote!(#lit)
        }
        Value::String(s) => quote!(#s),
        Value::Array(items) => {
            let items = items.iter().map(json_tokens);
            quote!([#(#items),*])
        }
        Value::Object(map) => {
            let entries = map.iter().map(|(k, v)| {
                let v = json_tokens(v);
                quote!(#k: #v)
            });
            quote!({#(#entries),*})
        }
    }
}

/// The names of planned types whose `validate()` has anything to check.
fn needs_validation(types: &[TypeDef]) -> BTreeSet<String> {
    let mut needs = BTreeSet::new();
    loop {
        let before = needs.len();
        for def in types {
            let needed = def.schema.is_some()
                || match &def.body {
                    Body::Struct(s) => {
                        s.fields
                            .iter()
                            .any(|f| !f.checks.is_empty() || ty_needs(&f.ty, &needs))
                            // A hand-built `extra` may name a field: always checked.
                            || (s.extra.is_some() && (!s.fields.is_empty() || s.tag.is_some()))
                            || !s.extra_checks.is_empty()
                            || s.extra.as_ref().is_some_and(|t| ty_needs(t, &needs))
                    }
                    Body::Tagged { payloads, .. } => payloads.iter().any(|p| needs.contains(p)),
                    Body::Untagged(variants) => variants
                        .iter()
                        .any(|v| !v.checks.is_empty() || ty_needs(&v.value, &needs)),
                    Body::StringEnum(_) | Body::IntegerEnum(_) => false,
                };
            if needed {
                needs.insert(def.name.clone());
            }
        }
        if needs.len() == before {
            return needs;
        }
    }
}

fn ty_needs(ty: &Ty, needs: &BTreeSet<String>) -> bool {
    match ty {
        Ty::Named(name) => needs.contains(name),
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Option(inner) | Ty::Box(inner) => {
            ty_needs(inner, needs)
        }
        _ => false,
    }
}

fn validate_impl(def: &TypeDef, needs: &BTreeSet<String>) -> TokenStream {
    let name = ident(&def.name);
    if !needs.contains(&def.name) {
        return quote! { tray_auth::nothing_to_check!(#name); };
    }
    let mut statics = Vec::new();
    let body = match &def.body {
        Body::Struct(s) => {
            let mut statements: Vec<TokenStream> = s
                .fields
                .iter()
                .filter_map(|field| field_checks(field, needs, &mut statics))
                .collect();
            if let Some(extra) = &s.extra {
                let mut field_scope = names::Scope::default();
                for field in &s.fields {
                    field_scope.take(&field.ident);
                }
                let extra_ident = ident(&field_scope.take("extra"));
                if !s.fields.is_empty() || s.tag.is_some() {
                    let named = s
                        .fields
                        .iter()
                        .map(|f| f.json_name.as_str())
                        .chain(s.tag.as_deref());
                    statements.push(quote! {
                        v.keys_beside_named(&self.#extra_ident, &[#(#named),*]);
                    });
                }
                let item = Place::Binding(ident("item"));
                let each =
                    value_checks(&item, extra, &s.extra_checks, needs, &mut statics, "EXTRA");
                if let Some(each) = at(quote!(at(key)), each).map(Down::body) {
                    statements.push(quote! {
                        for (key, item) in &self.#extra_ident {
                            #each
                        }
                    });
                }
            }
            quote! { #(#statements)* }
        }
        Body::Tagged {
            variants, payloads, ..
        } => {
            let arms = variants.iter().zip(payloads).map(|(v, payload)| {
                let variant = ident(&v.ident);
                if needs.contains(payload) {
                    quote!(#name::#variant(inner) => inner.validate_with(v))
                } else {
                    quote!(#name::#variant(_) => {})
                }
            });
            quote! { match self { #(#arms,)* } }
        }
        Body::Untagged(variants) => {
            let arms = variants
                .iter()
                .map(|v| variant_validate(&name, v, needs, &mut statics));
            quote! { match self { #(#arms,)* } }
        }
        Body::StringEnum(_) | Body::IntegerEnum(_) => quote! {},
    };
    // What the types cannot say, the schema as written says: checked last, so that each place
    // the checks above reported is reported once.
    let whole = def.schema.as_deref().map(|source| {
        let source = json_text(source);
        statics.push(quote! {
            static SCHEMA: tray_auth::validate::EmbeddedSchema =
                tray_auth::validate::EmbeddedSchema::new(#source);
        });
        quote! { v.schema(self, &SCHEMA); }
    });
    quote! {
        impl tray_auth::Validate for #name {
            fn validate_with(&self, v: &mut tray_auth::validate::Validator) {
                #(#statics)*
                #body
                #whole
            }
        }
    }
}

fn variant_validate(
    name: &syn::Ident,
    variant: &Variant<Ty>,
    needs: &BTreeSet<String>,
    statics: &mut Vec<TokenStream>,
) -> TokenStream {
    let variant_ident = ident(&variant.ident);
    let inner = Place::Binding(ident("inner"));
    let checks = value_checks(
        &inner,
        &variant.value,
        &variant.checks,
        needs,
        statics,
        &names::shouty(&variant.ident),
    );
    if checks.is_empty() {
        quote!(#name::#variant_ident(_) => {})
    } else {
        let statements = checks.iter().map(Check::statement);
        quote!(#name::#variant_ident(inner) => { #(#statements)* })
    }
}

fn field_checks(
    field: &Field,
    needs: &BTreeSet<String>,
    statics: &mut Vec<TokenStream>,
) -> Option<TokenStream> {
    let json = &field.json_name;
    let hint = names::shouty(&field.ident);
    match &field.ty {
        Ty::Option(inner) => {
            let field_ident = ident(&field.ident);
            let checks = value_checks(
                &Place::Binding(ident("value")),
                inner,
                &field.checks,
                needs,
                statics,
                &hint,
            );
            let checked = at(quote!(at(#json)), checks)?.body();
            Some(quote! {
                if let Some(value) = &self.#field_ident {
                    #checked
                }
            })
        }
        other => {
            let checks = value_checks(
                &Place::Field(ident(&field.ident)),
                other,
                &field.checks,
                needs,
                statics,
                &hint,
            );
            at(quote!(at(#json)), checks).map(Down::block)
        }
    }
}

/// One check of a value, made with the validator `v` standing at the value.
enum Check {
    /// A method of the validator: `pattern(&self.key, &KEY_PATTERN)`.
    Call(TokenStream),
    /// `validate_with` on a value of a generated type.
    Nested(TokenStream),
    /// A statement using `v` (a loop, an `if let`).
    Statement(TokenStream),
}

impl Check {
    fn statement(&self) -> TokenStream {
        match self {
            Check::Call(call) => quote!(v.#call;),
            // `v` is `&mut Validator` or a `Nested` guard; `&mut *v` is a `&mut Validator` either way.
            Check::Nested(receiver) => quote!(#receiver.validate_with(&mut *v);),
            Check::Statement(statement) => statement.clone(),
        }
    }
}

/// Checks made one level down (`position` is `at("key")` or `index(i)`).
enum Down {
    /// One statement.
    Single(TokenStream),
    /// Statements after `let mut v = v.#position;`, to be put in a block of their own.
    Block(TokenStream),
}

impl Down {
    /// As statements standing alone.
    fn block(self) -> TokenStream {
        match self {
            Down::Single(statement) => statement,
            Down::Block(statements) => quote!({ #statements }),
        }
    }

    /// As the body of a block that ends right after them (a loop, an `if let`).
    fn body(self) -> TokenStream {
        match self {
            Down::Single(statement) | Down::Block(statement) => statement,
        }
    }
}

/// Statements making `checks` one level down (`position` is `at("key")` or `index(i)`).
fn at(position: TokenStream, checks: Vec<Check>) -> Option<Down> {
    match checks.as_slice() {
        [] => None,
        [Check::Call(call)] => Some(Down::Single(quote!(v.#position.#call;))),
        [Check::Nested(receiver)] => Some(Down::Single(
            quote!(#receiver.validate_with(&mut v.#position);),
        )),
        _ => {
            let statements = checks.iter().map(Check::statement);
            Some(Down::Block(quote! {
                let mut v = v.#position;
                #(#statements)*
            }))
        }
    }
}

/// Where a checked value is: a field of `self`, or a binding holding a reference to it.
enum Place {
    Field(syn::Ident),
    Binding(syn::Ident),
}

impl Place {
    /// A reference to the value.
    fn by_ref(&self) -> TokenStream {
        match self {
            Place::Field(name) => quote!(&self.#name),
            Place::Binding(name) => quote!(#name),
        }
    }

    /// The value itself (for `Copy` numbers).
    fn by_value(&self) -> TokenStream {
        match self {
            Place::Field(name) => quote!(self.#name),
            Place::Binding(name) => quote!(*#name),
        }
    }

    /// The receiver of a method call.
    fn receiver(&self) -> TokenStream {
        match self {
            Place::Field(name) => quote!(self.#name),
            Place::Binding(name) => quote!(#name),
        }
    }
}

/// The checks of the value at `place`, of type `ty`.
fn value_checks(
    place: &Place,
    ty: &Ty,
    checks: &Checks,
    needs: &BTreeSet<String>,
    statics: &mut Vec<TokenStream>,
    hint: &str,
) -> Vec<Check> {
    let c = &checks.constraints;
    let mut out = Vec::new();
    match ty {
        Ty::String | Ty::Secret => {
            let text = if *ty == Ty::Secret {
                let receiver = place.receiver();
                quote!(#receiver.expose())
            } else {
                place.by_ref()
            };
            if c.min_length.is_some() || c.max_length.is_some() {
                let (min, max) = (option_u64(c.min_length), option_u64(c.max_length));
                out.push(Check::Call(quote!(length(#text, #min, #max))));
            }
            if let Some(pattern) = &c.pattern {
                let static_name = pattern_static(pattern, statics, hint);
                out.push(Check::Call(quote!(pattern(#text, &#static_name))));
            }
        }
        Ty::Integer | Ty::Number => {
            if let Some(bounds) = bounds(c) {
                let value = place.by_value();
                let value = if *ty == Ty::Integer {
                    quote!(#value as f64)
                } else {
                    value
                };
                out.push(Check::Call(quote!(range(#value, #bounds))));
            }
        }
        Ty::Vec(item) => {
            let (receiver, by_ref) = (place.receiver(), place.by_ref());
            if c.min_items.is_some() || c.max_items.is_some() {
                let (min, max) = (option_u64(c.min_items), option_u64(c.max_items));
                out.push(Check::Call(quote!(items(#receiver.len(), #min, #max))));
            }
            if c.unique_items {
                out.push(Check::Call(quote!(unique(#by_ref))));
            }
            let item_checks = checks.items.as_deref().cloned().unwrap_or_default();
            let binding = Place::Binding(ident("item"));
            let each = value_checks(
                &binding,
                item,
                &item_checks,
                needs,
                statics,
                &format!("{hint}_ITEM"),
            );
            if let Some(each) = at(quote!(index(i)), each).map(Down::body) {
                out.push(Check::Statement(quote! {
                    for (i, item) in #receiver.iter().enumerate() {
                        #each
                    }
                }));
            }
        }
        Ty::Map(value) => {
            let value_checks_of = checks.values.as_deref().cloned().unwrap_or_default();
            let binding = Place::Binding(ident("item"));
            let each = value_checks(
                &binding,
                value,
                &value_checks_of,
                needs,
                statics,
                &format!("{hint}_VALUE"),
            );
            if let Some(each) = at(quote!(at(key)), each).map(Down::body) {
                let by_ref = place.by_ref();
                out.push(Check::Statement(quote! {
                    for (key, item) in #by_ref {
                        #each
                    }
                }));
            }
        }
        Ty::Option(inner) => {
            let binding = Place::Binding(ident("inner"));
            let inner_checks = value_checks(&binding, inner, checks, needs, statics, hint);
            if !inner_checks.is_empty() {
                let statements = inner_checks.iter().map(Check::statement);
                let by_ref = place.by_ref();
                out.push(Check::Statement(quote! {
                    if let Some(inner) = #by_ref { #(#statements)* }
                }));
            }
        }
        // Methods reach through the box.
        Ty::Box(inner) => return value_checks(place, inner, checks, needs, statics, hint),
        Ty::Named(name) if needs.contains(name) => out.push(Check::Nested(place.receiver())),
        Ty::Value => {
            let by_ref = place.by_ref();
            if let Some(allowed) = &checks.allowed {
                let values = allowed.iter().map(json_tokens);
                out.push(Check::Call(
                    quote!(allowed(#by_ref, &[#(serde_json::json!(#values)),*])),
                ));
            }
            if !c.is_empty() {
                let rules = any_value_rules(c, statics, hint);
                out.push(Check::Call(quote!(any_value(#by_ref, &#rules))));
            }
        }
        Ty::Named(_) | Ty::Bool | Ty::Null => {}
    }
    out
}

/// `tray_auth::validate::Bounds { .. }` for the numeric bounds of `c`; `None` when it has none.
fn bounds(c: &Constraints) -> Option<TokenStream> {
    let bounds = [
        ("minimum", c.minimum),
        ("exclusive_minimum", c.exclusive_minimum),
        ("maximum", c.maximum),
        ("exclusive_maximum", c.exclusive_maximum),
    ];
    let set: Vec<TokenStream> = bounds
        .iter()
        .filter_map(|(name, bound)| {
            let (name, bound) = (ident(name), Literal::f64_unsuffixed((*bound)?));
            Some(quote!(#name: Some(#bound)))
        })
        .collect();
    if set.is_empty() {
        return None;
    }
    let rest = (set.len() < bounds.len()).then(|| quote!(..tray_auth::validate::Bounds::default()));
    Some(quote!(tray_auth::validate::Bounds { #(#set,)* #rest }))
}

/// `tray_auth::validate::AnyValueRules` for the constraints of a schema without a `type`.
fn any_value_rules(c: &Constraints, statics: &mut Vec<TokenStream>, hint: &str) -> TokenStream {
    let mut set = Vec::new();
    if let Some(bounds) = bounds(c) {
        set.push(quote!(bounds: #bounds));
    }
    for (name, count) in [
        ("min_length", c.min_length),
        ("max_length", c.max_length),
        ("min_items", c.min_items),
        ("max_items", c.max_items),
    ] {
        if let Some(n) = count {
            let (name, n) = (ident(name), Literal::u64_unsuffixed(n));
            set.push(quote!(#name: Some(#n)));
        }
    }
    if let Some(pattern) = &c.pattern {
        let name = pattern_static(pattern, statics, hint);
        set.push(quote!(pattern: Some(&#name)));
    }
    if c.unique_items {
        set.push(quote!(unique_items: true));
    }
    quote!(tray_auth::validate::AnyValueRules { #(#set,)* ..tray_auth::validate::AnyValueRules::default() })
}

/// Declares a `static` of the pattern among `statics`, named after `hint`; returns its name.
fn pattern_static(pattern: &str, statics: &mut Vec<TokenStream>, hint: &str) -> syn::Ident {
    // Two places can ask for the same name (`tags` items and a `tags_item` field).
    let taken = |name: &str| {
        let declared = format!("static {name} :");
        statics.iter().any(|s| s.to_string().starts_with(&declared))
    };
    let mut name = format!("{hint}_PATTERN");
    let mut n = 2;
    while taken(&name) {
        name = format!("{hint}_PATTERN_{n}");
        n += 1;
    }
    let static_name = format_ident!("{}", name);
    statics.push(quote! {
        static #static_name: tray_auth::validate::Pattern = tray_auth::validate::Pattern::new(#pattern);
    });
    static_name
}

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(n) => {
            let n = Literal::u64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}
