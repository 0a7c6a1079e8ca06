import { useEffect } from "react";

/** Sets the tab's title to "<page> · trimtab". */
export function useTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · trimtab`;
  }, [page]);
}
