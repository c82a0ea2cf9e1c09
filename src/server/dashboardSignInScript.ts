/**
 * The dashboard script's sign-in: the API key form, `me` for the role (which
 * decides whether action buttons are drawn), the key kept in sessionStorage,
 * and sign-out tearing the stream down. Its own module because it is the
 * page's session lifecycle, separate from what the page draws once in.
 *
 * A piece of the one function scope that src/server/dashboardScript.ts
 * assembles (see DASHBOARD_HELPERS_SCRIPT); it calls `renderSyncActions`
 * (panels), `loadHistory` (charts) and `subscribe` (stream) from that scope.
 */
export const DASHBOARD_SIGN_IN_SCRIPT = String.raw`
  // Signing in ----------------------------------------------------------------
  function showSignIn(message) {
    $('signin').hidden = false;
    $('main').hidden = true;
    $('signout').hidden = true;
    $('signin-error').textContent = message || '';
    $('key').focus();
  }

  function signIn(key) {
    state.key = key;
    return gql(DOCS.me).then(function (r) {
      var me = r.body && r.body.data && r.body.data.me;
      if (!me) {
        state.key = null;
        sessionStorage.removeItem(KEY_STORE);
        showSignIn(r.status === 401 ? 'That key was refused.' : 'Sign-in failed: ' + errorText(r.body));
        return;
      }
      sessionStorage.setItem(KEY_STORE, key);
      state.role = me.role;
      document.body.setAttribute('data-role', me.role.toLowerCase());
      $('who').textContent = me.name + ' · ' + me.role.toLowerCase();
      $('signin').hidden = true;
      $('main').hidden = false;
      $('signout').hidden = false;
      renderSyncActions();
      return loadHistory().then(subscribe);
    }, function () { showSignIn('The gateway could not be reached.'); });
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORE);
    state.sigs = { review: null, failures: null };
    if (state.unsubscribe) state.unsubscribe();
    if (state.sse) state.sse.dispose();
    state.sse = null;
    state.key = null;
    state.role = null;
    document.body.removeAttribute('data-role');
    $('who').textContent = '';
    showSignIn('');
  }
`;
