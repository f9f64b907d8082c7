//! Tokens for a planned connector: its marker type and `impl Connector`, a constant per
//! service environment, the `Scope` enum, its types, and a module per environment with types
//! of its own; and for the registry of every connector, and a bare schema's root.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc, json_text, ty, types};
use crate::plan::{ConnectorPlan, EnvironmentPlan, SchemaPlan, TypeSet};

/// The items of a connector's module.
pub fn connector(plan: &ConnectorPlan) -> TokenStream {
    let marker = format_ident!("{}", plan.marker);
    let marker_doc = doc(&[format!(
        "{} (Tray service `{}`, version {}).",
        crate::doc::inline(&plan.title),
        plan.service_name,
        plan.service_version
    )]);
    let snapshot = json_text(&plan.snapshot_json);
    let shared = plan.environments.iter().filter(|e| e.own_types.is_none());
    let own_impl = connector_impl(plan, &marker, shared, quote!(#snapshot));
    let constants = plan
        .environments
        .iter()
        .map(|env| constant(plan, &marker, env));
    let own_types = type_set(&marker, &plan.types);
    let modules = plan.own_types.iter().enumerate().map(|(i, own)| {
        let (module, own_marker) = (
            format_ident!("{}", own.module),
            format_ident!("{}", own.marker),
        );
        let module_doc = doc(&own.doc);
        let own_marker_doc = doc(&[format!(
            "{}'s {} service environment (Tray service `{}`, version {}).",
            crate::doc::inline(&plan.title),
            crate::doc::literal(&own.title),
            plan.service_name,
            plan.service_version
        )]);
        let envs = plan.environments.iter().filter(|e| e.own_types == Some(i));
        let snapshot = quote!(<super::#marker as tray_auth::Connector>::SNAPSHOT);
        let env_impl = connector_impl(plan, &own_marker, envs, snapshot);
        let env_types = type_set(&own_marker, &own.types);
        quote! {
            #module_doc
            pub mod #module {
                #own_marker_doc
                ///
                /// The marker type tying this environment's credentials, user data and scopes
                /// to its constant, so that they cannot be mixed with another environment's.
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
                pub struct #own_marker;

                #env_impl
                #env_types
            }
        }
    });
    quote! {
        #marker_doc
        ///
        /// The marker type tying this service's credentials, user data, scopes and service
        /// environments together, so that they cannot be mixed with another service's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #marker;

        #own_impl
        #(#constants)*
        #own_types
        #(#modules)*
    }
}

/// `impl tray_auth::Connector for marker`, whose environments are `environments`.
fn connector_impl<'p>(
    plan: &ConnectorPlan,
    marker: &syn::Ident,
    environments: impl Iterator<Item = &'p EnvironmentPlan>,
    snapshot: TokenStream,
) -> TokenStream {
    let (name, version) = (
        &plan.service_name,
        proc_macro2::Literal::u32_unsuffixed(plan.service_version),
    );
    let entries = environments.map(|env| {
        let (id, title) = (&env.id, &env.title);
        let auth = match env.authentication_variant {
            Some(variant) => {
                let variant = format_ident!("{}", variant);
                quote!(#variant)
            }
            None => {
                let other = &env.authentication_type;
                quote!(Other(#other))
            }
        };
        quote! {
            tray_auth::ServiceEnvironment {
                id: #id,
                title: #title,
                authentication_type: tray_auth::AuthenticationType::#auth,
            }
        }
    });
    quote! {
        impl tray_auth::Connector for #marker {
            const SERVICE_NAME: &'static str = #name;
            const SERVICE_VERSION: u32 = #version;
            const ENVIRONMENTS: &'static [tray_auth::ServiceEnvironment] = &[#(#entries),*];
            const SNAPSHOT: &'static str = #snapshot;
            type Credentials = Credentials;
            type UserData = UserData;
            type Scope = Scope;
        }
    }
}

/// An environment's constant, typed for the marker of its types.
fn constant(plan: &ConnectorPlan, marker: &syn::Ident, env: &EnvironmentPlan) -> TokenStream {
    let (constant, id, docs) = (format_ident!("{}", env.constant), &env.id, doc(&env.doc));
    let typed_for = match env.own_types.map(|i| &plan.own_types[i]) {
        None => quote!(#marker),
        Some(own) => {
            let (module, own_marker) = (
                format_ident!("{}", own.module),
                format_ident!("{}", own.marker),
            );
            quote!(#module::#own_marker)
        }
    };
    quote! {
        #docs
        pub const #constant: tray_auth::ServiceEnvironmentId<#typed_for> =
            tray_auth::ServiceEnvironmentId::from_static(#id);
    }
}

/// The `Scope` type, the impls pairing `Credentials`, `UserData` and `Scope` with `marker`,
/// and the types.
fn type_set(marker: &syn::Ident, set: &TypeSet) -> TokenStream {
    let scope = scope(set);
    let types = types(&set.types);
    quote! {
        #scope
        impl tray_auth::CredentialsOf<#marker> for Credentials {}
        impl tray_auth::UserDataOf<#marker> for UserData {}
        impl tray_auth::ScopeOf<#marker> for Scope {}
        #types
    }
}

/// The `Scope` enum, or `type Scope = tray_auth::NoScopes;` when no scopes are listed.
fn scope(set: &TypeSet) -> TokenStream {
    if set.scopes.is_empty() {
        return quote! {
            /// The scopes an authentication may be granted: none, since the service environment
            /// lists none.
            pub type Scope = tray_auth::NoScopes;
        };
    }
    let named: Vec<(syn::Ident, &str)> = set
        .scopes
        .iter()
        .map(|s| (format_ident!("{}", s.ident), s.name.as_str()))
        .collect();
    let arms = named.iter().zip(&set.scopes).map(|((ident, _), s)| {
        let doc = doc(&s.doc);
        quote! { #doc #ident }
    });
    // `VALUES`, `as_str()`, `FromStr` and `TryFrom<&str>`, as every generated string enum has.
    let impls = super::string_enum_impls(&format_ident!("Scope"), &named);
    quote! {
        /// A scope an authentication of this service environment may be granted.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Scope { #(#arms,)* }

        #impls
    }
}

/// `CONNECTORS`: an entry per marker type (a service's, and each of its environments with types
/// of their own), for code that picks a connector at run time by service name. In the
/// `committed_crate`, each entry is there only when its module's feature is on, and names
/// `ConnectorEntry` as `lib.rs` imports it (short lines format the same under `prettyplease`
/// and `rustfmt`); elsewhere (a file a build script writes, a macro's expansion) the path is
/// whole, so that it imports nothing into the caller's module.
pub fn registry<'p>(
    plans: impl IntoIterator<Item = &'p ConnectorPlan>,
    committed_crate: bool,
) -> TokenStream {
    let entry = if committed_crate {
        quote!(ConnectorEntry)
    } else {
        quote!(tray_auth::registry::ConnectorEntry)
    };
    let entries = plans.into_iter().flat_map(|plan| {
        let (module, feature) = (format_ident!("{}", plan.module), &plan.module);
        let cfg = committed_crate.then(|| quote!(#[cfg(feature = #feature)]));
        let marker = format_ident!("{}", plan.marker);
        let mut paths = vec![quote!(#module::#marker)];
        paths.extend(plan.own_types.iter().map(|own| {
            let (env_module, env_marker) = (
                format_ident!("{}", own.module),
                format_ident!("{}", own.marker),
            );
            quote!(#module::#env_module::#env_marker)
        }));
        let entry = entry.clone();
        paths
            .into_iter()
            .map(move |path| quote! { #cfg #entry::of::<#path>() })
    });
    quote! {
        /// Every connector here, for code that picks one at run time by service name (a bulk
        /// importer): see `tray_auth::registry`. A service whose environments have schemas of
        /// their own has an entry per set of types.
        pub const CONNECTORS: &[#entry] = &[#(#entries),*];
    }
}

/// A bare schema's types, and its root's alias when the root is not a type of its own.
pub fn schema(plan: &SchemaPlan) -> TokenStream {
    let types = types(&plan.types);
    let alias = plan.alias.as_ref().map(|alias| {
        let (docs, name, target) = (
            doc(&alias.doc),
            format_ident!("{}", alias.name),
            ty(&alias.ty),
        );
        quote! { #docs pub type #name = #target; }
    });
    quote! { #types #alias }
}
