import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { Loader2, LogIn } from "lucide-react";
import { useMe } from "@/api/queries";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { Logo } from "@/components/Logo";
import { useSignIn } from "@/features/auth/session";
import { useTitle } from "@/lib/useTitle";
import { ErrorAlert } from "@/components/ErrorAlert";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && next !== "/signin" ? next : "/allocation";
}

export function SignInPage() {
  useTitle("Sign in");
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const me = useMe();
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (me.data && !signIn.isPending) return <Navigate to={next} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate(next, { replace: true }) });
  }

  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <Logo className="size-8" />
          <span className="text-xl font-semibold tracking-tight">trimtab</span>
        </div>
        <Card className="p-6">
          <h1 className="text-lg font-semibold text-slate-900">Sign in</h1>
          <p className="mt-1 text-sm text-slate-600">Keep your portfolio on target.</p>
          <form className="mt-5 space-y-4" onSubmit={submit}>
            <TextField
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={setEmail}
              data-testid="signin-email"
            />
            <TextField
              label="Password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={setPassword}
              data-testid="signin-password"
            />
            <ErrorAlert error={signIn.error} data-testid="signin-error" />
            <Button type="submit" variant="primary" className="w-full" disabled={signIn.isPending} data-testid="signin-submit">
              {signIn.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <LogIn aria-hidden />}
              Sign in
            </Button>
          </form>
        </Card>
      </div>
    </main>
  );
}
