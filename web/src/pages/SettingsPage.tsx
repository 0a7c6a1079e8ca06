import { BrokerCard } from "@/features/settings/BrokerCard";
import { NotificationsCard } from "@/features/settings/NotificationsCard";
import { PolicyForm } from "@/features/settings/PolicyForm";
import { PolicyOptionsCard } from "@/features/settings/PolicyOptionsCard";
import { ScheduleCard } from "@/features/settings/ScheduleCard";
import { SessionsCard } from "@/features/settings/SessionsCard";
import { TokensCard } from "@/features/settings/TokensCard";
import { useTitle } from "@/lib/useTitle";

export function SettingsPage() {
  useTitle("Settings");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Settings</h1>
        <p className="mt-1 text-sm text-slate-600">Rebalancing rules, schedule, API access and your broker.</p>
      </div>
      <PolicyForm />
      <PolicyOptionsCard />
      <ScheduleCard />
      <BrokerCard />
      <NotificationsCard />
      <TokensCard />
      <SessionsCard />
    </div>
  );
}
