import { LogOut } from "lucide-react";
import { useSignOut } from "@/features/auth/session";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** "Sign out everywhere": ends every signed-in page of this user, on every device. */
export function SessionsCard() {
  const signOut = useSignOut({ everywhere: true });
  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader>
        <div>
          <CardTitle id="sessions-title">Signed-in devices</CardTitle>
          <CardDescription>
            Lost a laptop or signed in somewhere shared? End every signed-in page, this one included. API tokens stay
            valid; revoke them above.
          </CardDescription>
        </div>
      </CardHeader>
      <CardContent>
        <Button variant="outline" onClick={() => signOut.mutate()} disabled={signOut.isPending} data-testid="sign-out-everywhere">
          <LogOut aria-hidden />
          Sign out everywhere
        </Button>
      </CardContent>
    </Card>
  );
}
