/** The portal link's token: taken from `?token=` once, then kept in this tab's session storage only. */
const STORAGE = 'caravan.portal.token';

export function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(STORAGE, fromUrl);
    } catch {
      // storage refused: the token lives as long as the page
    }
    // out of the address bar and the history, so it is not shared by a copied URL or a screenshot
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + (url.search || '') + url.hash);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(STORAGE);
  } catch {
    // nothing stored
  }
}
