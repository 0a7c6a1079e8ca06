import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, setCsrfToken } from "@/api/client";
import { keys } from "@/api/queries";
import type { LoginRequest } from "@/api/models";

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => api.login(body),
    onSuccess: (data) => {
      setCsrfToken(data.csrf_token);
      qc.clear();
      qc.setQueryData(keys.me, { user: data.user, csrf_token: data.csrf_token });
    },
  });
}

/** Sign out of this page, or (`everywhere`) of every page signed in as this user. */
export function useSignOut({ everywhere = false } = {}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async () => {
      if (everywhere) await api.signOutEverywhere();
      else await api.logout();
    },
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      void navigate("/signin", { replace: true });
    },
  });
}
