import { NavLink, Outlet } from "react-router";
import { History, LineChart, LogOut, PieChart, Settings } from "lucide-react";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/api/client";
import type { LiveState } from "@/api/events";
import { keys } from "@/api/queries";
import type { User } from "@/api/models";
import { Button } from "@/components/ui/button";
import { useSignOut } from "@/features/auth/session";
import { cn } from "@/lib/cn";
import { Logo } from "./Logo";

const NAV = [
  { to: "/allocation", label: "Allocation", icon: PieChart },
  { to: "/history", label: "History", icon: History },
  { to: "/backtest", label: "Backtest", icon: LineChart },
  { to: "/settings", label: "Settings", icon: Settings },
];

const LIVE_TEXT: Record<LiveState, string> = { live: "Live", connecting: "Connecting", offline: "Offline" };

/** The cached portfolio's state, without fetching it: its error means the broker is unreachable. */
function useBrokerDown(): boolean {
  const portfolio = useQuery({ queryKey: keys.portfolio, queryFn: api.portfolio, enabled: false });
  return !portfolio.data && portfolio.isError;
}

function LiveIndicator({ state }: { state: LiveState }) {
  if (useBrokerDown()) {
    return (
      <span
        className="hidden items-center gap-1.5 text-xs text-rose-800 sm:inline-flex"
        data-testid="live-status"
        title="Your broker could not be reached: positions and rebalancing are unavailable"
      >
        <span className="size-2 rounded-full bg-rose-500" aria-hidden />
        Broker unreachable
      </span>
    );
  }
  return (
    <span
      className="hidden items-center gap-1.5 text-xs text-slate-600 sm:inline-flex"
      data-testid="live-status"
      title={state === "live" ? "Updates appear without reloading" : "Reconnecting to live updates"}
    >
      <span
        className={cn(
          "size-2 rounded-full",
          state === "live" ? "bg-emerald-500" : state === "connecting" ? "animate-pulse bg-amber-400" : "bg-slate-400",
        )}
        aria-hidden
      />
      {LIVE_TEXT[state]}
    </span>
  );
}

export function Layout({ user, live }: { user: User; live: LiveState }) {
  const signOut = useSignOut();
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur">
        {/* On a phone the tabs get a row of their own, each a quarter of the width. */}
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 px-4 sm:h-14 sm:flex-nowrap sm:gap-4 sm:px-6">
          <NavLink to="/allocation" className="flex h-12 items-center gap-2 font-semibold tracking-tight sm:h-auto" aria-label="trimtab home">
            <Logo className="size-7" />
            <span>trimtab</span>
          </NavLink>
          <nav aria-label="Main" className="order-last -mx-1 flex w-[calc(100%+0.5rem)] gap-1 pb-2 sm:order-none sm:mx-0 sm:w-auto sm:flex-1 sm:pb-0">
            {NAV.map(({ to, label, icon: Icon }) => (
              <NavLink
                key={to}
                to={to}
                className={({ isActive }) =>
                  cn(
                    "inline-flex flex-1 items-center justify-center gap-1.5 rounded-lg px-1 py-1.5 text-sm font-medium whitespace-nowrap transition-colors sm:flex-none sm:px-2.5",
                    isActive ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100",
                  )
                }
                data-testid={`nav-${label.toLowerCase()}`}
              >
                <Icon className="hidden size-4 sm:block" aria-hidden />
                {label}
              </NavLink>
            ))}
          </nav>
          <span className="ml-auto sm:hidden" />
          <LiveIndicator state={live} />
          <span className="hidden max-w-48 truncate text-sm text-slate-600 md:inline" data-testid="user-email">
            {user.email}
          </span>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
            aria-label="Sign out"
            data-testid="sign-out"
          >
            <LogOut aria-hidden />
            <span className="hidden sm:inline">Sign out</span>
          </Button>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
        <Outlet />
      </main>
    </div>
  );
}
