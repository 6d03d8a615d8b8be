import { ChatClient, login } from '@app/client';
import { ChatPage } from './chat-page';
import { byId, errorText } from './dom';
import { LoginView } from './views/login-view';

/** The username of this tab's sign-in, so a reload signs in again (sessionStorage: per tab). */
const USERNAME_KEY = 'chatstream.username';

const app = byId<HTMLDivElement>('app');

async function signIn(username: string, form: LoginView): Promise<void> {
  form.busy(true);
  form.showError('');
  let page: ChatPage | undefined;
  try {
    // The page is served by chatstream's Nginx: the same origin has /api and /socket.io.
    const { token } = await login(location.origin, username);
    const client = new ChatClient({ url: location.origin, token });
    const shown = new ChatPage(client, () => {
      sessionStorage.removeItem(USERNAME_KEY);
      shown.dispose();
      showLogin();
    });
    page = shown;
    app.replaceChildren(shown.root);
    await client.open();
    sessionStorage.setItem(USERNAME_KEY, username);
  } catch (error) {
    page?.dispose();
    showLogin(errorText(error));
  }
}

function showLogin(error = ''): void {
  const form = new LoginView((username) => void signIn(username, form));
  form.showError(error);
  app.replaceChildren(form.root);
}

const remembered = sessionStorage.getItem(USERNAME_KEY);
if (remembered) void signIn(remembered, new LoginView(() => undefined));
else showLogin();
