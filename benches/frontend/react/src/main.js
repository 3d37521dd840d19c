// The Leptos `minimal` example's page (sign-in and sign-up forms for visitors, the user's
// name and a sign-out button once signed in) on better-auth's own React client. Plain
// `createElement`, so Vite needs no JSX plugin. Like the Leptos demo, it puts the time to
// the first known session state on <body data-first-session-ms>.
import { createElement as h, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { createAuthClient } from "better-auth/react";

const client = createAuthClient({ baseURL: window.location.origin });

function field(label, type, value, set, name) {
  return h("label", null, h("span", null, label), h("input", { type, name, value, required: true, onChange: (e) => set(e.target.value) }));
}

function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const { error } = await client.signIn.email({ email, password });
    setError(error?.message ?? null);
  };
  return h("form", { className: "sign-in", onSubmit: submit },
    field("Email", "email", email, setEmail, "email"),
    field("Password", "password", password, setPassword, "password"),
    error && h("p", { role: "alert" }, error),
    h("button", { type: "submit" }, "Sign in"));
}

function SignUp() {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const { error } = await client.signUp.email({ name, email, password });
    setError(error?.message ?? null);
  };
  return h("form", { className: "sign-up", onSubmit: submit },
    field("Name", "text", name, setName, "name"),
    field("Email", "email", email, setEmail, "email"),
    field("Password", "password", password, setPassword, "password"),
    error && h("p", { role: "alert" }, error),
    h("button", { type: "submit" }, "Create account"));
}

function App() {
  const { data, isPending } = client.useSession();
  useEffect(() => {
    if (!isPending && !document.body.dataset.firstSessionMs) {
      document.body.dataset.firstSessionMs = performance.now().toFixed(1);
    }
  }, [isPending]);
  if (isPending) return h("div", { "aria-busy": "true" });
  if (!data) return h("div", null, h(SignIn), h(SignUp));
  return h("div", { className: "user" },
    h("span", { id: "user-name" }, data.user.name),
    h("button", { type: "button", onClick: () => client.signOut() }, "Sign out"));
}

createRoot(document.getElementById("root")).render(h(App));
