import { Link, useLocation } from "react-router";
import { Compass } from "lucide-react";
import { useTitle } from "@/lib/useTitle";

/** An address the page does not have: say so, and offer the way back. */
export function NotFoundPage() {
  useTitle("Page not found");
  const { pathname } = useLocation();
  return (
    <div className="mx-auto max-w-md space-y-4 py-12 text-center" data-testid="not-found">
      <Compass className="mx-auto size-10 text-slate-400" aria-hidden />
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Page not found</h1>
      <p className="text-sm text-slate-600">
        trimtab has no page at <code className="rounded bg-slate-100 px-1 font-mono text-xs">{pathname}</code>. It may
        have moved, or the link may be mistyped.
      </p>
      <Link
        to="/allocation"
        className="inline-flex items-center rounded-lg bg-slate-900 px-3 py-2 text-sm font-medium text-white hover:bg-slate-800"
      >
        Go to Allocation
      </Link>
    </div>
  );
}
