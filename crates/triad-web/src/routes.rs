//! The table of every route. Routes are added through [`Routes`] so the list the router
//! serves is the list the authorization test walks: a route cannot exist unlisted.

use crate::AppState;
use axum::handler::Handler;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

/// One route: its method and path pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
}

#[derive(Default)]
pub struct Routes {
    specs: Vec<RouteSpec>,
    methods: Vec<(&'static str, MethodRouter<AppState>)>,
}

impl Routes {
    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.specs.push(RouteSpec {
            method: "GET",
            path,
        });
        self.add(path, get(handler))
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.specs.push(RouteSpec {
            method: "POST",
            path,
        });
        self.add(path, post(handler))
    }

    pub fn put<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.specs.push(RouteSpec {
            method: "PUT",
            path,
        });
        self.add(path, axum::routing::put(handler))
    }

    fn add(mut self, path: &'static str, method: MethodRouter<AppState>) -> Self {
        // Several methods on one path merge into one method router.
        if let Some(existing) = self.methods.iter_mut().find(|(p, _)| *p == path) {
            let merged = std::mem::take(&mut existing.1).merge(method);
            existing.1 = merged;
        } else {
            self.methods.push((path, method));
        }
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        for spec in &other.specs {
            self.specs.push(*spec);
        }
        for (path, method) in other.methods {
            self = self.add(path, method);
        }
        self
    }

    pub fn specs(&self) -> Vec<RouteSpec> {
        self.specs.clone()
    }

    /// The routes as a router, before the security layers (see `security::layers`) and the
    /// state are added.
    pub fn into_router(self) -> Router<AppState> {
        let mut router = Router::new();
        for (path, method) in self.methods {
            router = router.route(path, method);
        }
        router
    }
}
