import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { getCsrfToken } from "@/api/client";
import { renderWithProviders, stubFetch } from "@/test/render";
import { SignInPage } from "./SignInPage";

describe("SignInPage", () => {
  it("signs in and keeps the CSRF token", async () => {
    const calls = stubFetch({
      "GET /api/me": () => ({ status: 401, body: { error: { code: "unauthenticated", message: "sign in" } } }),
      "POST /api/auth/login": { user: { id: 1, email: "demo@trimtab.local" }, csrf_token: "t-1" },
    });
    renderWithProviders(<SignInPage />, { route: "/signin" });
    await userEvent.type(screen.getByLabelText("Email"), "demo@trimtab.local");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(getCsrfToken()).toBe("t-1"));
    expect(calls.find((c) => c.path === "/api/auth/login")?.body).toEqual({ email: "demo@trimtab.local", password: "secret" });
  });

  it("shows the server's message on a wrong password", async () => {
    stubFetch({
      "GET /api/me": () => ({ status: 401, body: { error: { code: "unauthenticated", message: "sign in" } } }),
      "POST /api/auth/login": () => ({ status: 401, body: { error: { code: "invalid_credentials", message: "wrong email or password" } } }),
    });
    renderWithProviders(<SignInPage />, { route: "/signin" });
    await userEvent.type(screen.getByLabelText("Email"), "demo@trimtab.local");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("signin-error")).toHaveTextContent(/^Wrong email or password\.$/);
    expect(getCsrfToken()).toBeNull();
  });
});
