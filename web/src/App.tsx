import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { ApiError, errorMessage, onUnauthorized, setCsrfToken } from "@/api/client";
import { useServerEvents } from "@/api/events";
import { useMe } from "@/api/queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Layout } from "@/components/Layout";
import { NotFoundPage } from "@/pages/NotFoundPage";
import { SignInPage } from "@/pages/SignInPage";

// Pages behind sign-in load on demand: the sign-in page paints without the charts.
const AllocationPage = lazy(() => import("@/pages/AllocationPage").then((m) => ({ default: m.AllocationPage })));
const HistoryPage = lazy(() => import("@/pages/HistoryPage").then((m) => ({ default: m.HistoryPage })));
const RunPage = lazy(() => import("@/pages/RunPage").then((m) => ({ default: m.RunPage })));
const BacktestPage = lazy(() => import("@/pages/BacktestPage").then((m) => ({ default: m.BacktestPage })));
const SettingsPage = lazy(() => import("@/pages/SettingsPage").then((m) => ({ default: m.SettingsPage })));

function Loading() {
  return (
    <div className="flex min-h-[50vh] items-center justify-center text-slate-600" role="status">
      <Loader2 className="mr-2 size-5 animate-spin" aria-hidden /> Loading…
    </div>
  );
}

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

/** Sends any 401 to the sign-in page, remembering where the user was. */
function useUnauthorizedRedirect() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  useEffect(() => {
    onUnauthorized(() => {
      if (window.location.pathname === "/signin") return;
      setCsrfToken(null);
      qc.clear();
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      void navigate(`/signin?next=${next}`, { replace: true });
    });
    return () => onUnauthorized(null);
  }, [navigate, qc, location.key]);
}

function SignedIn() {
  const me = useMe();
  const location = useLocation();
  const live = useServerEvents(Boolean(me.data));

  useEffect(() => {
    if (me.data?.csrf_token) setCsrfToken(me.data.csrf_token);
  }, [me.data?.csrf_token]);

  if (me.isPending) return <Loading />;
  if (me.error instanceof ApiError && me.error.status === 401) {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  if (me.error || !me.data) {
    return (
      <div className="mx-auto max-w-md p-8">
        <Alert tone="danger" role="alert" title="trimtab is not reachable">
          <p>{errorMessage(me.error)}</p>
          <Button className="mt-3" variant="outline" size="sm" onClick={() => void me.refetch()}>
            Try again
          </Button>
        </Alert>
      </div>
    );
  }
  return <Layout user={me.data.user} live={live} />;
}

export function App() {
  useUnauthorizedRedirect();
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route element={<SignedIn />}>
        <Route path="/allocation" element={<Page><AllocationPage /></Page>} />
        <Route path="/history" element={<Page><HistoryPage /></Page>} />
        <Route path="/history/:runId" element={<Page><RunPage /></Page>} />
        <Route path="/backtest" element={<Page><BacktestPage /></Page>} />
        <Route path="/settings" element={<Page><SettingsPage /></Page>} />
        <Route index element={<Navigate to="/allocation" replace />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
