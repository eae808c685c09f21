package io.mqttintegration.runtime.parsers;

import io.mqttintegration.parsers.DeclarativeParser;
import io.mqttintegration.parsers.ParserDefinition;
import io.mqttintegration.parsers.Parsers;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.parsers.TopicDeviceId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The parsers integrations can name: the built-in ones and those declared in parser files. */
public final class ParserRegistry {

    private record Declared(Path file, ParserDefinition definition) {
    }

    private final Map<String, Declared> declared = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public Set<String> names() {
        Set<String> names = new TreeSet<>(Parsers.NAMES);
        names.addAll(declared.keySet());
        return names;
    }

    public PayloadParser create(String name, TopicDeviceId deviceIds) {
        Declared d = declared.get(name);
        return d != null ? new DeclarativeParser(d.definition(), deviceIds) : Parsers.create(name, deviceIds);
    }

    /** The file that declares the name, if a file does. */
    public Optional<Path> fileOf(String name) {
        return Optional.ofNullable(declared.get(name)).map(Declared::file);
    }

    /** The definition a parser file gave the name, if a file did. */
    public Optional<ParserDefinition> definition(String name) {
        return Optional.ofNullable(declared.get(name)).map(Declared::definition);
    }

    /** Declared parsers by name, with their files (for operators). */
    public Map<String, Path> declared() {
        Map<String, Path> all = new java.util.TreeMap<>();
        declared.forEach((name, d) -> all.put(name, d.file()));
        return all;
    }

    void put(Path file, ParserDefinition definition) {
        declared.values().removeIf(d -> d.file().equals(file));
        declared.put(definition.name(), new Declared(file, definition));
        listeners.forEach(Runnable::run);
    }

    void remove(Path file) {
        declared.values().removeIf(d -> d.file().equals(file));
        listeners.forEach(Runnable::run);
    }

    public void onChange(Runnable listener) {
        listeners.add(listener);
    }
}
