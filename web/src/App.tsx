import { useEffect } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { ApiError, errorMessage, onUnauthorized, setCsrfToken } from "@/api/client";
import { useServerEvents } from "@/api/events";
import { useMe } from "@/api/queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Layout } from "@/components/Layout";
import { AllocationPage } from "@/pages/AllocationPage";
import { HistoryPage } from "@/pages/HistoryPage";
import { RunPage } from "@/pages/RunPage";
import { SettingsPage } from "@/pages/SettingsPage";
import { SignInPage } from "@/pages/SignInPage";

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

  if (me.isPending) {
    return (
      <div className="flex min-h-screen items-center justify-center text-slate-600" role="status">
        <Loader2 className="mr-2 size-5 animate-spin" aria-hidden /> Loading…
      </div>
    );
  }
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
        <Route path="/allocation" element={<AllocationPage />} />
        <Route path="/history" element={<HistoryPage />} />
        <Route path="/history/:runId" element={<RunPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="*" element={<Navigate to="/allocation" replace />} />
      </Route>
    </Routes>
  );
}
