package io.mqttintegration.parsers;

/** MQTT topic filter matching: {@code +} is one level, {@code #} the rest (and the parent level). */
public final class TopicFilter {

    private TopicFilter() {
    }

    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /**
     * A valid MQTT topic filter: not empty, {@code #} only as the whole last level, {@code +} only as a
     * whole level, no NUL.
     */
    public static boolean isValid(String filter) {
        if (filter == null || filter.isEmpty() || filter.indexOf('\0') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The filter as an anchored regular expression that PostgreSQL's {@code ~} matches exactly as
     * {@link #matches} does: {@code +} is {@code [^/]*}, a last {@code #} the rest and its parent
     * level, every other character literal (escaped unless a letter or digit).
     *
     * @throws IllegalArgumentException for a filter that is not {@link #isValid valid}
     */
    public static String toRegex(String filter) {
        if (!isValid(filter)) {
            throw new IllegalArgumentException("not an MQTT topic filter: " + filter);
        }
        String[] levels = filter.split("/", -1);
        StringBuilder regex = new StringBuilder("^");
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                // "a/#" matches "a" too; "#" alone matches everything
                regex.append(i == 0 ? ".*" : "(/.*)?");
                break;
            }
            if (i > 0) {
                regex.append('/');
            }
            if (level.equals("+")) {
                regex.append("[^/]*");
            } else {
                for (int k = 0; k < level.length(); k++) {
                    char ch = level.charAt(k);
                    if (!Character.isLetterOrDigit(ch)) {
                        regex.append('\\');
                    }
                    regex.append(ch);
                }
            }
        }
        return regex.append('$').toString();
    }
}
