/**
 * A stand-in for `react-style-singleton` (aliased in vite.config.ts), the package the
 * dialogs' scroll lock (`react-remove-scroll-bar`, under Radix Dialog) uses to add its
 * CSS. The package writes that CSS into a new `<style>` element, which the page's
 * Content-Security-Policy (`style-src 'self'`, src/trimtab/api/edges.py) refuses; this
 * adopts a constructed stylesheet instead (CSSOM, which the policy allows). Same three
 * exports and the same counting: the CSS is added by the first user, removed by the last.
 */
import { useEffect } from "react";

interface Sheet {
  add(css: string): void;
  remove(): void;
}

export function stylesheetSingleton(): Sheet {
  let users = 0;
  let sheet: CSSStyleSheet | null = null;
  return {
    add(css) {
      if (users === 0 && typeof document !== "undefined" && "adoptedStyleSheets" in document) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      users++;
    },
    remove() {
      users--;
      if (users === 0 && sheet) {
        const gone = sheet;
        document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== gone);
        sheet = null;
      }
    },
  };
}

export function styleHookSingleton(): (styles: string, isDynamic?: boolean) => void {
  const sheet = stylesheetSingleton();
  return (styles, isDynamic) => {
    useEffect(() => {
      sheet.add(styles);
      return () => sheet.remove();
      // Like the package: the CSS is read once unless it is marked dynamic.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [styles && isDynamic]);
  };
}

export function styleSingleton(): (props: { styles: string; dynamic?: boolean }) => null {
  const useStyle = styleHookSingleton();
  return function Sheet({ styles, dynamic }) {
    useStyle(styles, dynamic);
    return null;
  };
}
