# Settings of the ducktape Vagrant cluster: defaults, then Vagrantfile.local, then
# environment variables (DUCKTAPE_VAGRANT_*). Anything wrong stops `vagrant` with one
# message naming the file, the line or setting, and the fix.
module DucktapeVagrant
  PROVIDERS = %w[virtualbox libvirt].freeze
  DEFAULTS = {
    num_workers: 3,
    box: "debian/bookworm64",
    ram_megabytes: 2048,
    num_cpus: 1,
    provider: "virtualbox",
    private_network_prefix: "192.168.56",
    jdk_package: "openjdk-17-jre-headless",
    driver_public_key: nil,
    virtualbox: {},
    libvirt: {},
  }.freeze
  PROVIDER_KEYS = {
    virtualbox: { "linked_clone" => [true, false], "gui" => [true, false], "name_prefix" => String },
    libvirt: { "driver" => %w[kvm qemu], "uri" => String, "storage_pool_name" => String,
               "management_network_address" => String, "nested" => [true, false] },
  }.freeze
  ENV_VARS = {
    "DUCKTAPE_VAGRANT_WORKERS" => :num_workers, "DUCKTAPE_VAGRANT_BOX" => :box,
    "DUCKTAPE_VAGRANT_MEMORY" => :ram_megabytes, "DUCKTAPE_VAGRANT_CPUS" => :num_cpus,
    "DUCKTAPE_VAGRANT_PROVIDER" => :provider,
  }.freeze
  INTEGERS = { num_workers: 1, ram_megabytes: 256, num_cpus: 1 }.freeze

  # A setting that cannot be used; Vagrant shows the message and stops.
  class SettingsError < StandardError; end

  def self.fail!(message, hint)
    raise SettingsError, "#{message}\nhint: #{hint}"
  end

  # Evaluate the Ruby in +path+ (plain `name = value` lines) and return the settings it assigns.
  def self.read_local(path)
    return {} unless File.exist?(path)
    scope = binding
    before = scope.local_variables
    begin
      scope.eval(File.read(path), path, 1)
    rescue SyntaxError, StandardError => e
      where = e.backtrace_locations&.find { |l| l.path == path }&.lineno || e.message[/#{Regexp.escape(path)}:(\d+)/, 1]
      first = e.message.lines.first.to_s.sub(/\A#{Regexp.escape(path)}:\d+: /, "").strip
      fail!("#{File.basename(path)}#{where ? " line #{where}" : ""}: #{first}",
            "write one `name = value` per line, e.g. num_workers = 3; known settings: #{DEFAULTS.keys.join(', ')}")
    end
    assigned = scope.local_variables - before
    assigned.to_h { |name| [name, scope.local_variable_get(name)] }
  end

  def self.from_env(env)
    ENV_VARS.each_with_object({}) do |(var, key), out|
      next if env[var].nil? || env[var].empty?
      value = env[var]
      if INTEGERS.key?(key)
        fail!("#{var}=#{value.inspect} is not a whole number", "#{var}=#{DEFAULTS[key]}") unless value =~ /\A\d+\z/
        value = value.to_i
      end
      out[key] = value
    end
  end

  def self.check(settings, source)
    settings.each_key do |key|
      next if DEFAULTS.key?(key)
      fail!("#{source}: unknown setting '#{key}'", "known settings: #{DEFAULTS.keys.join(', ')}")
    end
    INTEGERS.each do |key, min|
      value = settings[key]
      next if value.is_a?(Integer) && value >= min
      fail!("#{source}: #{key} must be a whole number of at least #{min}, got #{value.inspect}", "#{key} = #{DEFAULTS[key]}")
    end
    unless PROVIDERS.include?(settings[:provider].to_s)
      fail!("#{source}: provider must be one of #{PROVIDERS.join(', ')}, got #{settings[:provider].inspect}",
            "provider = \"virtualbox\" (EC2 is `ducktape-cluster ec2 up`, not Vagrant)")
    end
    fail!("#{source}: box must be a box name, got #{settings[:box].inspect}", "box = \"debian/bookworm64\"") unless
      settings[:box].is_a?(String) && !settings[:box].empty?
    PROVIDER_KEYS.each { |provider, keys| check_provider(settings[provider], provider, keys, source) }
  end

  def self.check_provider(values, provider, keys, source)
    fail!("#{source}: #{provider} must be a hash of settings, got #{values.inspect}", "#{provider} = {}") unless
      values.is_a?(Hash)
    values.each do |key, value|
      allowed = keys[key.to_s]
      fail!("#{source}: unknown #{provider} setting '#{key}'", "known #{provider} settings: #{keys.keys.join(', ')}") unless allowed
      ok = allowed.is_a?(Array) ? allowed.include?(value) : value.is_a?(allowed)
      fail!("#{source}: #{provider} setting '#{key}' cannot be #{value.inspect}",
            "#{key}: #{allowed.is_a?(Array) ? allowed.map(&:inspect).join(' or ') : 'a string'}") unless ok
    end
  end

  # VirtualBox when its VBoxManage is on PATH, else libvirt (the plugin build.sh installs), so
  # `vagrant validate` and `vagrant status` work on a machine without VirtualBox.
  def self.default_provider(env = ENV)
    dirs = env.fetch("PATH", "").split(File::PATH_SEPARATOR)
    dirs.any? { |dir| File.executable?(File.join(dir, "VBoxManage")) } ? "virtualbox" : "libvirt"
  end

  # The settings to build the cluster from.
  def self.load(local_path, env = ENV)
    local = read_local(local_path)
    defaults = DEFAULTS.merge(provider: default_provider(env))
    check(defaults.merge(local), File.basename(local_path))
    settings = defaults.merge(local).merge(from_env(env))
    check(settings, "settings (Vagrantfile.local and DUCKTAPE_VAGRANT_*)")
    settings[:provider] = settings[:provider].to_s
    settings[:driver_public_key] ||= default_public_key
    settings
  end

  def self.default_public_key
    %w[id_ed25519.pub id_ecdsa.pub id_rsa.pub].map { |f| File.join(Dir.home, ".ssh", f) }
      .find { |f| File.readable?(f) }&.then { |f| File.read(f).strip }
  end
end
