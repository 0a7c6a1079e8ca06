import { errorMessage } from "@/api/client";
import { Alert, type AlertProps } from "@/components/ui/alert";

/** A failed request's message as a danger alert; nothing while there is no error. */
export function ErrorAlert({ error, ...props }: Omit<AlertProps, "tone" | "role" | "children"> & { error: unknown }) {
  if (!error) return null;
  return (
    <Alert tone="danger" role="alert" {...props}>
      {errorMessage(error)}
    </Alert>
  );
}
