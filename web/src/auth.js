// Sign-in with OIDC (authorization code + PKCE) against the issuer the service names: its own
// embedded issuer by default, Keycloak in production. The token lives in this tab's session only.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

let manager;
let user = null;

async function userManager() {
  if (!manager) {
    const response = await fetch('/viewer-config.json');
    if (!response.ok) throw new Error(`viewer configuration: HTTP ${response.status}`);
    const config = await response.json();
    manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      scope: config.scope,
      redirect_uri: `${location.origin}/`,
      post_logout_redirect_uri: `${location.origin}/`,
      response_type: 'code',
      loadUserInfo: false,
      automaticSilentRenew: false,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }
  return manager;
}

/** Finishes a sign-in redirect if this is one; returns the signed-in user or null. */
export async function restore() {
  const m = await userManager();
  const query = new URLSearchParams(location.search);
  if (query.has('code') && query.has('state')) {
    const signedIn = await m.signinRedirectCallback();
    history.replaceState(null, '', `/${signedIn.state || '#/'}`);
    user = signedIn;
  } else if (query.has('error')) {
    history.replaceState(null, '', '/');
    throw new Error(`sign-in failed: ${query.get('error_description') || query.get('error')}`);
  } else {
    user = await m.getUser();
  }
  if (user && user.expired) user = null;
  return user;
}

export async function signIn() {
  await (await userManager()).signinRedirect({ state: location.hash || '#/' });
}

export async function signOut() {
  const m = await userManager();
  const idToken = user?.id_token;
  await m.removeUser();
  user = null;
  try {
    await m.signoutRedirect({ id_token_hint: idToken });
  } catch {
    location.assign('/');
  }
}

export function accessToken() {
  if (!user || user.expired) {
    const error = new Error('your session has ended: sign in again');
    error.code = 'viewer:signed-out';
    throw error;
  }
  return user.access_token;
}

/** The user's name and realm roles, read from the access token (Keycloak's claim shape). */
export function identity() {
  const payload = JSON.parse(
    atob(accessToken().split('.')[1].replace(/-/g, '+').replace(/_/g, '/')),
  );
  return {
    name: payload.preferred_username || payload.sub,
    roles: payload.realm_access?.roles || [],
  };
}

export function hasRole(...roles) {
  const held = identity().roles;
  return roles.some((r) => held.includes(r));
}
